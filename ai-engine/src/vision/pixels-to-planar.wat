;; A model's input from 8-bit pixels: interleaved 3-channel bytes (h rows of w pixels) to three float32 planes of
;; `stride` floats per row, value = byte × scale[c] + shift[c] for output channel c; with `swap` set, output channel
;; c reads byte channel 2 − c (BGR bytes to RGB planes). 16 pixels per SIMD step, the rest one by one.
;; Source of pixels-to-planar.wasm.ts (`npm run build:wasm` writes it; a unit test checks the two agree).
;; Memory is the caller's: the bytes at `src`, the planes at `dst` (plane c at dst + c × stride × plane_rows × 4).
;; Floats beyond w in a row, and rows beyond h, are not written: the caller zeroes them when it pads.
(module
  (memory (export "memory") 1 65536)
  (func (export "planar")
    (param $src i32) (param $w i32) (param $h i32) (param $dst i32) (param $stride i32) (param $plane_rows i32) (param $swap i32)
    (param $s0 f32) (param $s1 f32) (param $s2 f32) (param $b0 f32) (param $b1 f32) (param $b2 f32)
    (local $plane i32) (local $y i32) (local $x i32) (local $p i32) (local $o i32) (local $simd_w i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $t v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $a0 v128) (local $a1 v128) (local $a2 v128)
    (local.set $plane (i32.mul (i32.mul (local.get $stride) (local.get $plane_rows)) (i32.const 4)))
    (local.set $simd_w (i32.and (local.get $w) (i32.const -16)))
    (local.set $k0 (f32x4.splat (local.get $s0))) (local.set $k1 (f32x4.splat (local.get $s1))) (local.set $k2 (f32x4.splat (local.get $s2)))
    (local.set $a0 (f32x4.splat (local.get $b0))) (local.set $a1 (f32x4.splat (local.get $b1))) (local.set $a2 (f32x4.splat (local.get $b2)))
    (local.set $p (local.get $src))
    (local.set $y (i32.const 0))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $y) (local.get $h)))
        (local.set $o (i32.add (local.get $dst) (i32.mul (i32.mul (local.get $y) (local.get $stride)) (i32.const 4))))
        (local.set $x (i32.const 0))
        (block $simd_done
          (loop $step
            (br_if $simd_done (i32.ge_u (local.get $x) (local.get $simd_w)))
            (local.set $v0 (v128.load (local.get $p)))
            (local.set $v1 (v128.load offset=16 (local.get $p)))
            (local.set $v2 (v128.load offset=32 (local.get $p)))
            ;; Byte channel k of the 16 pixels sits at 3i + k: two shuffles gather it from the three vectors.
            (local.set $t (i8x16.shuffle 0 3 6 9 12 15 18 21 24 27 30 0 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $c0 (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 17 20 23 26 29 (local.get $t) (local.get $v2)))
            (local.set $t (i8x16.shuffle 1 4 7 10 13 16 19 22 25 28 31 0 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $c1 (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 18 21 24 27 30 (local.get $t) (local.get $v2)))
            (local.set $t (i8x16.shuffle 2 5 8 11 14 17 20 23 26 29 0 0 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $c2 (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 16 19 22 25 28 31 (local.get $t) (local.get $v2)))
            (if (local.get $swap) (then
              (local.set $t (local.get $c0)) (local.set $c0 (local.get $c2)) (local.set $c2 (local.get $t))))
            (call $store16 (local.get $o) (local.get $c0) (local.get $k0) (local.get $a0))
            (call $store16 (i32.add (local.get $o) (local.get $plane)) (local.get $c1) (local.get $k1) (local.get $a1))
            (call $store16 (i32.add (local.get $o) (i32.shl (local.get $plane) (i32.const 1))) (local.get $c2) (local.get $k2) (local.get $a2))
            (local.set $p (i32.add (local.get $p) (i32.const 48)))
            (local.set $o (i32.add (local.get $o) (i32.const 64)))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $step)))
        (block $tail_done
          (loop $pixel
            (br_if $tail_done (i32.ge_u (local.get $x) (local.get $w)))
            (f32.store (local.get $o) (f32.add (f32.mul (f32.convert_i32_u (i32.load8_u
              (i32.add (local.get $p) (select (i32.const 2) (i32.const 0) (local.get $swap))))) (local.get $s0)) (local.get $b0)))
            (f32.store (i32.add (local.get $o) (local.get $plane))
              (f32.add (f32.mul (f32.convert_i32_u (i32.load8_u offset=1 (local.get $p))) (local.get $s1)) (local.get $b1)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $plane) (i32.const 1))) (f32.add (f32.mul (f32.convert_i32_u (i32.load8_u
              (i32.add (local.get $p) (select (i32.const 0) (i32.const 2) (local.get $swap))))) (local.get $s2)) (local.get $b2)))
            (local.set $p (i32.add (local.get $p) (i32.const 3)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $pixel)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; 16 bytes widened to 16 floats, times k plus a, stored at o.
  (func $store16 (param $o i32) (param $c v128) (param $k v128) (param $a v128)
    (local $lo v128) (local $hi v128)
    (local.set $lo (i16x8.extend_low_i8x16_u (local.get $c)))
    (local.set $hi (i16x8.extend_high_i8x16_u (local.get $c)))
    (v128.store (local.get $o) (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $lo))) (local.get $k)) (local.get $a)))
    (v128.store offset=16 (local.get $o) (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $lo))) (local.get $k)) (local.get $a)))
    (v128.store offset=32 (local.get $o) (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_low_i16x8_u (local.get $hi))) (local.get $k)) (local.get $a)))
    (v128.store offset=48 (local.get $o) (f32x4.add (f32x4.mul (f32x4.convert_i32x4_u (i32x4.extend_high_i16x8_u (local.get $hi))) (local.get $k)) (local.get $a)))))
