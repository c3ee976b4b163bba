#!/usr/bin/env node
// `npm run models`: copy (from MODELS_SOURCE_DIR, default ../shared/models) or download the model files, checking sha256.
import path from 'node:path';
import { fetchModels } from './lib/models.mjs';
import { ROOT, failSetup } from './setup.mjs';

const sourceDir = path.resolve(ROOT, process.env.MODELS_SOURCE_DIR ?? '../shared/models');
fetchModels({ manifestFile: path.join(ROOT, 'models/models.json'), destDir: path.join(ROOT, 'models'), sourceDir, log: (m) => console.log(m) })
  .then((r) => console.log(`models ready: ${r.present.length} present, ${r.copied.length} copied, ${r.downloaded.length} downloaded`))
  .catch(failSetup);
