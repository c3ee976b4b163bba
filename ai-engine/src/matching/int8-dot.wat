;; The gallery's coarse scan: int8 rows · an int16 query, one int32 dot product per row, 16 values per SIMD step.
;; Source of int8-dot.wasm.ts (`npm run build:wasm` writes it; a unit test checks the two agree).
;; Memory is the caller's: rows of `dim` int8 values from `rows_at`, the query as `dim` int16 values at `query_at`,
;; results as `rows` int32 values from `out_at`. `dim` must be a multiple of 16.
(module
  (memory (export "memory") 1 65536)
  (func (export "dots") (param $query_at i32) (param $rows_at i32) (param $rows i32) (param $dim i32) (param $out_at i32)
    (local $row_end i32) (local $p i32) (local $q i32) (local $end i32) (local $v v128) (local $acc v128)
    (local.set $end (i32.add (local.get $rows_at) (i32.mul (local.get $rows) (local.get $dim))))
    (local.set $p (local.get $rows_at))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $row_end (i32.add (local.get $p) (local.get $dim)))
        (local.set $q (local.get $query_at))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (loop $step
          (local.set $v (v128.load (local.get $p)))
          ;; i32x4.dot_i16x8_s is one pmaddwd: eight int16 products summed pairwise into four int32 lanes.
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))))
          (local.set $acc (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q)))))
          (local.set $q (i32.add (local.get $q) (i32.const 32)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $step (i32.lt_u (local.get $p) (local.get $row_end))))
        (i32.store (local.get $out_at)
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $out_at (i32.add (local.get $out_at) (i32.const 4)))
        (br $row)))))
