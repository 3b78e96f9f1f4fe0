;; Loads of linear memory whose value is never used must still trap when
;; out of bounds, in every tier. The LLVM-compiled tier relies on guard
;; pages, so a load LLVM deleted (dead value) or sank into the one branch
;; that uses it would not fault: the call would return, or trap later with
;; another kind (src/wasm/llvm_loads.c). tests/suites/wast.sh runs this in
;; the interpreter, tests/suites/wast_compiled.sh in the compiled tier.
(module
  (memory 1)
  ;; into a local that is never read
  (func (export "dead-local") (param i32) (local i32)
    (local.set 1 (i32.load (local.get 0))))
  ;; into a local read only after it is overwritten
  (func (export "overwritten") (param i32) (result i32) (local i64)
    (local.set 1 (i64.load (local.get 0)))
    (local.set 1 (i64.const 7))
    (i32.wrap_i64 (local.get 1)))
  ;; left on the stack by unreachable: the load must trap first
  (func (export "before-unreachable") (param i32)
    (i32.load (local.get 0))
    (unreachable))
  ;; left on the stack by br and return
  (func (export "before-br") (param i32) (result i32)
    (block (result i32)
      (f64.load (local.get 0))
      (i32.const 1)
      (br 0)))
  (func (export "before-return") (param i32) (result i32)
    (f32.load offset=8 (local.get 0))
    (i32.const 2)
    (return))
  ;; used on one arm only: LLVM would sink the load into it
  (func (export "one-arm") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.load8_u (local.get 0)))
    (if (result i32) (local.get 1)
      (then (local.get 2))
      (else (i32.const 3))))
  ;; a value stored back where it was loaded from: LLVM drops the store
  (func (export "store-back") (param i32)
    (i32.store (local.get 0) (i32.load (local.get 0))))
  ;; a dead loop-carried value
  (func (export "dead-sum") (param i32) (local i32 i32)
    (loop
      (local.set 2 (i32.add (local.get 2) (i32.load (local.get 0))))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get 1) (i32.const 3)))))
  ;; a dead value through a block result and select
  (func (export "dead-block") (param i32)
    (drop (block (result i32) (i32.load16_s (local.get 0)))))
  (func (export "dead-select") (param i32)
    (drop (select (i32.load (local.get 0)) (i32.const 1) (i32.const 0))))
)
(assert_trap (invoke "dead-local" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "dead-local" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "dead-local" (i32.const 65532)))
(assert_trap (invoke "overwritten" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "overwritten" (i32.const 65528)) (i32.const 7))
(assert_trap (invoke "before-unreachable" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "before-unreachable" (i32.const 0)) "unreachable")
(assert_trap (invoke "before-br" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "before-br" (i32.const 65528)) (i32.const 1))
(assert_trap (invoke "before-return" (i32.const 65525)) "out of bounds memory access")
(assert_return (invoke "before-return" (i32.const 0)) (i32.const 2))
(assert_trap (invoke "one-arm" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "one-arm" (i32.const 65535) (i32.const 0)) (i32.const 3))
(assert_trap (invoke "store-back" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "store-back" (i32.const 65532)))
(assert_trap (invoke "dead-sum" (i32.const 65534)) "out of bounds memory access")
(assert_return (invoke "dead-sum" (i32.const 4)))
(assert_trap (invoke "dead-block" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "dead-select" (i32.const 65533)) "out of bounds memory access")

;; A load that reaches its function's return, in a caller that drops the
;; result: LLVM deletes a call of a pure function whose result is unused,
;; or inlines it and then the load is dead (found by fuzz_diff).
(module
  (memory 1)
  (func $pair (param i32) (result i32)
    (i32.or (i32.load8_u (local.get 0))
            (i32.shl (i32.load8_u offset=1 (local.get 0)) (i32.const 8))))
  (func (export "result-dropped") (param i32) (result i32)
    (drop (call $pair (local.get 0)))
    (i32.const 1))
  (func (export "result-before-unreachable") (param i32) (result i32)
    (call $pair (local.get 0))
    (unreachable))
  (func (export "result-in-one-arm") (param i32 i32) (result i32)
    (local i32)
    (local.set 2 (call $pair (local.get 0)))
    (if (result i32) (local.get 1) (then (local.get 2)) (else (i32.const 3)))))
(assert_trap (invoke "result-dropped" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "result-dropped" (i32.const 10)) (i32.const 1))
(assert_trap (invoke "result-before-unreachable" (i32.const 70000)) "out of bounds memory access")
(assert_trap (invoke "result-before-unreachable" (i32.const 10)) "unreachable")
(assert_trap (invoke "result-in-one-arm" (i32.const 65535) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "result-in-one-arm" (i32.const 10) (i32.const 0)) (i32.const 3))
