;; Regression tests found by fuzzing (fuzz/fuzz_wasm.c), in the spec test
;; format; tests/suites/wast.sh runs every tests/spec/*.wast.

;; A v128 value moved one slot down (the result slot overlaps the source
;; parameter's slots): the copy must allow overlap. Found by the fuzzer as an
;; ASan memcpy-param-overlap report in the interpreter (gcc inlines the
;; 16-byte memcpy, so only the clang fuzz build sees it).
(module
  (memory 1)
  (func (export "id") (param i32 v128) (result v128) (local.get 1))
  (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
  (func (export "store") (param i32 v128) (v128.store (local.get 0) (local.get 1)))
)
(assert_return (invoke "id" (i32.const 0) (v128.const i32x4 1 2 3 4)) (v128.const i32x4 1 2 3 4))
(invoke "store" (i32.const 16) (v128.const i64x2 0x0102030405060708 0x1112131415161718))
(assert_return (invoke "load" (i32.const 16)) (v128.const i64x2 0x0102030405060708 0x1112131415161718))
(assert_trap (invoke "load" (i32.const 65521)) "out of bounds memory access")
