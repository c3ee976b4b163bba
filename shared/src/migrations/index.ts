import { InitialSchema1763800000000 } from './1763800000000-initial-schema.js';
import { Consents1763950000000 } from './1763950000000-consents.js';

/** Every migration, in order. New ones are appended here. */
export const MIGRATIONS = [InitialSchema1763800000000, Consents1763950000000];
