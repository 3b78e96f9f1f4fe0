/*
 * test_interp.c — the interpreter's unit tests: the translator's abstract
 * stack (local.tee under a live local.get, multi-value returns, br_table
 * with values), recursion, loops, traps with their function and offset,
 * guest recursion bounded without a host stack overflow, fuel, interrupt,
 * call_indirect, host callbacks that re-enter wasm, memory.grow.
 *
 * The module is embedded as bytes; its text (compiled with wat2wasm) is in
 * the comment below. Prints "N passed, N failed" last.
 */
#include <stdio.h>
#include <string.h>

#include "anywhere/wasm.h"

#include "check.h"

/*
 * (module
 *   (import "env" "cb" (func $cb (param i32) (result i32)))
 *   (type $ii (func (param i32) (result i32)))
 *   (type $v (func))
 *   (memory (export "mem") 1)
 *   (table 3 funcref)
 *   (elem (i32.const 0) $fib $nop)
 *   (func $fib (export "fib") (param i32) (result i32)
 *     (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
 *       (then (local.get 0))
 *       (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
 *                      (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
 *   (func $nop)
 *   (func (export "sum") (param $n i32) (result i64) (local $acc i64)
 *     (block $done
 *       (loop $top
 *         (br_if $done (i32.eqz (local.get $n)))
 *         (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
 *         (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *         (br $top)))
 *     (local.get $acc))
 *   (func (export "swap") (param i32 i32) (result i32 i32)
 *     (local.get 1) (local.get 0))
 *   (func (export "tee") (param $x i32) (result i32)
 *     ;; the first local.get must keep the old value though $x changes
 *     (i32.sub (local.get $x) (local.tee $x (i32.const 5))))
 *   (func (export "div") (param i32 i32) (result i32)
 *     (i32.div_s (local.get 0) (local.get 1)))
 *   (func (export "load") (param i32) (result i32)
 *     (i32.load offset=4 (local.get 0)))
 *   (func (export "store_load") (param i32 i64) (result i64)
 *     (i64.store (local.get 0) (local.get 1))
 *     (i64.load (local.get 0)))
 *   (func $rec (export "rec") (param i32) (result i32)
 *     (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
 *   (func (export "spin") (loop $l (br $l)))
 *   (func (export "indirect") (param i32 i32) (result i32)
 *     (call_indirect (type $ii) (local.get 0) (local.get 1)))
 *   (func (export "callback") (param i32) (result i32)
 *     (i32.add (call $cb (local.get 0)) (i32.const 1000)))
 *   (func (export "select") (param i32 i32 i32) (result i32)
 *     (select (local.get 0) (local.get 1) (local.get 2)))
 *   (func (export "brtable") (param i32) (result i32)
 *     (block $a (result i32)
 *       (block $b (result i32)
 *         (block $c (result i32)
 *           (i32.const 10) (local.get 0) (br_table $a $b $c))
 *         (i32.const 1) (i32.add))
 *       (i32.const 2) (i32.add)))
 *   (func (export "grow") (param i32) (result i32)
 *     (drop (memory.grow (local.get 0)))
 *     (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (i32.const 0))
 *     (memory.size))
 * )
 */
static const unsigned char test_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x28, 0x07, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f, 0x60,
    0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7e, 0x60, 0x03, 0x7f, 0x7f, 0x7f,
    0x01, 0x7f, 0x02, 0x0a, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x02, 0x63, 0x62, 0x00, 0x00, 0x03, 0x10,
    0x0f, 0x00, 0x01, 0x02, 0x03, 0x00, 0x04, 0x00, 0x05, 0x00, 0x01, 0x04, 0x00, 0x06, 0x00, 0x00,
    0x04, 0x04, 0x01, 0x70, 0x00, 0x03, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x77, 0x0f, 0x03, 0x6d,
    0x65, 0x6d, 0x02, 0x00, 0x03, 0x66, 0x69, 0x62, 0x00, 0x01, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x03,
    0x04, 0x73, 0x77, 0x61, 0x70, 0x00, 0x04, 0x03, 0x74, 0x65, 0x65, 0x00, 0x05, 0x03, 0x64, 0x69,
    0x76, 0x00, 0x06, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x07, 0x0a, 0x73, 0x74, 0x6f, 0x72, 0x65,
    0x5f, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x08, 0x03, 0x72, 0x65, 0x63, 0x00, 0x09, 0x04, 0x73, 0x70,
    0x69, 0x6e, 0x00, 0x0a, 0x08, 0x69, 0x6e, 0x64, 0x69, 0x72, 0x65, 0x63, 0x74, 0x00, 0x0b, 0x08,
    0x63, 0x61, 0x6c, 0x6c, 0x62, 0x61, 0x63, 0x6b, 0x00, 0x0c, 0x06, 0x73, 0x65, 0x6c, 0x65, 0x63,
    0x74, 0x00, 0x0d, 0x07, 0x62, 0x72, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x00, 0x0e, 0x04, 0x67, 0x72,
    0x6f, 0x77, 0x00, 0x0f, 0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x01, 0x02, 0x0a, 0xdc,
    0x01, 0x0f, 0x1c, 0x00, 0x20, 0x00, 0x41, 0x02, 0x49, 0x04, 0x7f, 0x20, 0x00, 0x05, 0x20, 0x00,
    0x41, 0x01, 0x6b, 0x10, 0x01, 0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x01, 0x6a, 0x0b, 0x0b, 0x02,
    0x00, 0x0b, 0x22, 0x01, 0x01, 0x7e, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20,
    0x01, 0x20, 0x00, 0xad, 0x7c, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00,
    0x0b, 0x0b, 0x20, 0x01, 0x0b, 0x06, 0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00,
    0x41, 0x05, 0x22, 0x00, 0x6b, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x07, 0x00,
    0x20, 0x00, 0x28, 0x02, 0x04, 0x0b, 0x0e, 0x00, 0x20, 0x00, 0x20, 0x01, 0x37, 0x03, 0x00, 0x20,
    0x00, 0x29, 0x03, 0x00, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x10, 0x09, 0x41, 0x01,
    0x6a, 0x0b, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01,
    0x11, 0x00, 0x00, 0x0b, 0x0a, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0xe8, 0x07, 0x6a, 0x0b, 0x09,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0x1b, 0x0b, 0x1a, 0x00, 0x02, 0x7f, 0x02, 0x7f, 0x02,
    0x7f, 0x41, 0x0a, 0x20, 0x00, 0x0e, 0x02, 0x02, 0x01, 0x00, 0x0b, 0x41, 0x01, 0x6a, 0x0b, 0x41,
    0x02, 0x6a, 0x0b, 0x0b, 0x18, 0x00, 0x20, 0x00, 0x40, 0x00, 0x1a, 0x3f, 0x00, 0x41, 0x80, 0x80,
    0x04, 0x6c, 0x41, 0x04, 0x6b, 0x41, 0x00, 0x36, 0x02, 0x00, 0x3f, 0x00, 0x0b,
};

/* The host import "env" "cb": calls the module's "fib" (re-entering the
 * interpreter from a host function) and returns fib(x) * 2. */
static int host_cb(aw_caller *c, uint64_t *slots, void *data) {
    aw_instance *inst = aw_caller_instance(c);
    aw_func *fib = aw_instance_func(inst, "fib");
    aw_val arg = AW_I32_VAL((int32_t)slots[0]), res;
    aw_error err;
    (void)data;
    if (aw_call(aw_caller_store(c), fib, &arg, 1, &res, 1, &err) != AW_OK)
        return aw_caller_trap(c, "inner call failed: %s", err.message);
    slots[0] = (uint32_t)(res.of.i32 * 2);
    return 0;
}

static aw_errkind call(aw_store *s, aw_instance *inst, const char *name, const aw_val *args,
                       size_t nargs, aw_val *res, size_t nres, aw_error *err) {
    aw_func *f = aw_instance_func(inst, name);
    if (!f) {
        printf("no export %s\n", name);
        return AW_ERR_LINK;
    }
    return aw_call(s, f, args, nargs, res, nres, err);
}

static int32_t call_i32(aw_store *s, aw_instance *inst, const char *name, const aw_val *args,
                        size_t nargs) {
    aw_val r = AW_I32_VAL(-1);
    aw_error err;
    if (call(s, inst, name, args, nargs, &r, 1, &err) != AW_OK) printf("%s: %s\n", name, err.message);
    return r.of.i32;
}

int main(void) {
    aw_error err;
    aw_module *m = aw_module_load(test_wasm, sizeof test_wasm, &err);
    CHECK(m != NULL);
    if (!m) {
        printf("load: %s\n", err.message);
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }
    aw_valtype i32 = AW_I32;
    aw_func *cb = aw_func_new_host(&i32, 1, &i32, 1, host_cb, NULL, "cb");
    aw_extern imp = {.kind = AW_EXTERN_FUNC, .of.func = cb};
    aw_store_config cfg = {.max_call_depth = 5000};
    aw_store *s = aw_store_new(&cfg);
    aw_instance *inst = aw_instantiate(s, m, &imp, 1, &err);
    CHECK(inst != NULL);
    if (!inst) {
        printf("instantiate: %s\n", err.message);
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }

    /* arithmetic, recursion, loops */
    aw_val a[3], r[2];
    a[0] = AW_I32_VAL(20);
    CHECK(call_i32(s, inst, "fib", a, 1) == 6765);
    a[0] = AW_I32_VAL(100000);
    CHECK(call(s, inst, "sum", a, 1, r, 1, &err) == AW_OK && r[0].of.i64 == 5000050000LL);

    /* multi-value results come back in order */
    a[0] = AW_I32_VAL(1), a[1] = AW_I32_VAL(2);
    CHECK(call(s, inst, "swap", a, 2, r, 2, &err) == AW_OK && r[0].of.i32 == 2 && r[1].of.i32 == 1);

    /* local.tee while a local.get of the same local is still on the stack */
    a[0] = AW_I32_VAL(12);
    CHECK(call_i32(s, inst, "tee", a, 1) == 7);

    /* select, br_table with a value on every label */
    a[0] = AW_I32_VAL(1), a[1] = AW_I32_VAL(2), a[2] = AW_I32_VAL(0);
    CHECK(call_i32(s, inst, "select", a, 3) == 2);
    a[2] = AW_I32_VAL(5);
    CHECK(call_i32(s, inst, "select", a, 3) == 1);
    for (int i = 0; i < 4; i++) { /* 3 and up take the default, $c */
        static const int32_t want[] = {10, 12, 13, 13};
        a[0] = AW_I32_VAL(i);
        CHECK(call_i32(s, inst, "brtable", a, 1) == want[i]);
    }

    /* division traps name the function and the instruction's offset */
    a[0] = AW_I32_VAL(7), a[1] = AW_I32_VAL(0);
    CHECK(call(s, inst, "div", a, 2, r, 1, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_DIV_ZERO);
    CHECK(err.func_index == 6 && err.offset == 0x13c);
    a[0] = AW_I32_VAL(INT32_MIN), a[1] = AW_I32_VAL(-1);
    CHECK(call(s, inst, "div", a, 2, r, 1, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_INT_OVERFLOW);
    a[0] = AW_I32_VAL(-7), a[1] = AW_I32_VAL(2);
    CHECK(call_i32(s, inst, "div", a, 2) == -3);

    /* memory: bounds include the static offset */
    a[0] = AW_I32_VAL(65532);
    CHECK(call(s, inst, "load", a, 1, r, 1, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_MEMORY_OOB);
    a[0] = AW_I32_VAL(65528);
    CHECK(call(s, inst, "load", a, 1, r, 1, &err) == AW_OK);
    a[0] = AW_I32_VAL(-1);
    CHECK(call(s, inst, "load", a, 1, r, 1, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_MEMORY_OOB);
    a[0] = AW_I32_VAL(8), a[1] = AW_I64_VAL(0x123456789abcdefLL);
    CHECK(call(s, inst, "store_load", a, 2, r, 1, &err) == AW_OK && r[0].of.i64 == 0x123456789abcdefLL);

    /* memory.grow: the new pages are usable at once (cached size reloaded) */
    a[0] = AW_I32_VAL(1);
    CHECK(call_i32(s, inst, "grow", a, 1) == 2);

    /* unbounded guest recursion traps, and the store still works after */
    a[0] = AW_I32_VAL(0);
    CHECK(call(s, inst, "rec", a, 1, r, 1, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_STACK_EXHAUSTED);
    a[0] = AW_I32_VAL(10);
    CHECK(call_i32(s, inst, "fib", a, 1) == 55);

    /* call_indirect: match, type mismatch, null entry, out of range */
    a[0] = AW_I32_VAL(10), a[1] = AW_I32_VAL(0);
    CHECK(call_i32(s, inst, "indirect", a, 2) == 55);
    a[1] = AW_I32_VAL(1);
    CHECK(call(s, inst, "indirect", a, 2, r, 1, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_INDIRECT_TYPE);
    a[1] = AW_I32_VAL(2);
    CHECK(call(s, inst, "indirect", a, 2, r, 1, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_UNINITIALIZED_ELEMENT);
    a[1] = AW_I32_VAL(3);
    CHECK(call(s, inst, "indirect", a, 2, r, 1, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_UNDEFINED_ELEMENT);

    /* a host function that calls back into wasm */
    a[0] = AW_I32_VAL(10);
    CHECK(call_i32(s, inst, "callback", a, 1) == 1110);

    /* fuel: an endless loop stops; a small budget is enough for small work */
    aw_store_set_fuel(s, 100000);
    CHECK(call(s, inst, "spin", NULL, 0, NULL, 0, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_OUT_OF_FUEL);
    CHECK(aw_store_fuel(s) == 0);
    aw_store_set_fuel(s, 100000);
    a[0] = AW_I32_VAL(10);
    CHECK(call_i32(s, inst, "fib", a, 1) == 55);
    CHECK(aw_store_fuel(s) < 100000);
    aw_store_set_fuel(s, 0);

    /* interrupt: set before the call, seen at the first check */
    aw_store_interrupt(s);
    CHECK(call(s, inst, "spin", NULL, 0, NULL, 0, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_INTERRUPTED);

    /* a deadline stops an endless loop */
    aw_store *s2 = aw_store_new(NULL);
    aw_instance *inst2 = aw_instantiate(s2, m, &imp, 1, &err);
    CHECK(inst2 != NULL);
    if (inst2) {
        aw_store_set_timeout(s2, 20 * 1000 * 1000);
        CHECK(call(s2, inst2, "spin", NULL, 0, NULL, 0, &err) == AW_ERR_TRAP &&
              err.trap == AW_TRAP_INTERRUPTED);
    }
    aw_store_free(s2);

    aw_store_free(s);
    aw_func_free_host(cb);
    aw_module_release(m);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
