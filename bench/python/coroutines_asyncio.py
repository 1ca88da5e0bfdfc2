#!/usr/bin/python3
"""Coroutine micro-benchmarks for asyncio (optionally on uvloop).

Python-side counterpart of the C# BenchmarkDotNet suite in
bench/Eddy.Benchmarks; see README.md for the workload definitions.

    /usr/bin/python3 coroutines_asyncio.py [--uvloop] [--quick] [--count N]
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import asyncio
import os
import time

import benchcommon as bc

perf_ns = time.perf_counter_ns


# Each bench_* coroutine runs n iterations inside an already running loop and
# returns the elapsed ns, so loop start-up/teardown stays out of the timing.
# Hot names are bound to locals: we want the runtime's cost, not the cost of
# repeated global/attribute lookups in the benchmark loop itself.

async def _return_value():
    return 42


async def bench_spawn_join(n):
    spawn = asyncio.get_running_loop().create_task
    coro = _return_value
    t0 = perf_ns()
    for _ in range(n):
        await spawn(coro())
    return perf_ns() - t0


async def _queue_echo(q_in, q_out):
    get, put = q_in.get, q_out.put_nowait
    while True:
        item = await get()
        if item is None:
            return
        put(item)


async def bench_queue_ping_pong(n):
    # Unbounded queues never block on put, so put_nowait() is the natural call
    # (it is what `await q.put()` does after an always-false "full" check).
    q1, q2 = asyncio.Queue(), asyncio.Queue()
    echo = asyncio.get_running_loop().create_task(_queue_echo(q1, q2))
    put, get = q1.put_nowait, q2.get
    t0 = perf_ns()
    for i in range(n):
        put(i)
        await get()
    elapsed = perf_ns() - t0
    put(None)
    await echo
    return elapsed


async def _event_echo(e_in, e_out, stop):
    wait, clear, signal = e_in.wait, e_in.clear, e_out.set
    while True:
        await wait()
        clear()
        if stop:
            return
        signal()


async def bench_event_ping_pong(n):
    e1, e2 = asyncio.Event(), asyncio.Event()
    stop = []  # mutable flag shared with the echo task
    echo = asyncio.get_running_loop().create_task(_event_echo(e1, e2, stop))
    signal, wait, clear = e1.set, e2.wait, e2.clear
    t0 = perf_ns()
    for _ in range(n):
        signal()
        await wait()
        clear()
    elapsed = perf_ns() - t0
    stop.append(True)
    signal()
    await echo
    return elapsed


async def bench_timer_schedule_fire(n):
    # call_later(0, ...) goes through the timer heap (a TimerHandle), unlike
    # call_soon; resolving a future from it is the cheapest way to wait for
    # the timer callback without adding a sleep()'s extra machinery.
    loop = asyncio.get_running_loop()
    new_future, call_later = loop.create_future, loop.call_later
    t0 = perf_ns()
    for _ in range(n):
        fut = new_future()
        call_later(0, fut.set_result, None)
        await fut
    return perf_ns() - t0


async def _sleeper(seconds):
    await asyncio.sleep(seconds)


async def bench_million_sleepers(count, sleep_s):
    spawn = asyncio.get_running_loop().create_task
    t0 = perf_ns()
    tasks = [spawn(_sleeper(sleep_s)) for _ in range(count)]
    # Joining one by one is the plain "join all": after the first task
    # finishes the others are already done, and it avoids gather()'s extra
    # per-task callbacks and result list.
    for t in tasks:
        await t
    return perf_ns() - t0


def loop_factory(use_uvloop):
    if not use_uvloop:
        return asyncio.new_event_loop
    import uvloop
    return uvloop.new_event_loop


def main():
    args = bc.parse_args(__doc__.splitlines()[0], lambda p: p.add_argument(
        "--uvloop", action="store_true", help="run on uvloop's event loop"))
    runtime = "asyncio+uvloop" if args.uvloop else "asyncio"

    with asyncio.Runner(loop_factory=loop_factory(args.uvloop)) as runner:
        if args.million_child:
            bc.million_child(
                lambda c, s: runner.run(bench_million_sleepers(c, s)),
                args.count, args.sleep_s)
            return

        loop = runner.get_loop()
        versions = ""
        if args.uvloop:
            import uvloop
            versions = f", uvloop {uvloop.__version__}"
        bc.log(f"# {runtime}: {type(loop).__module__}.{type(loop).__name__}{versions}; "
               f"{bc.describe_host()}")

        micro = {
            bc.SPAWN_JOIN: (bench_spawn_join, 1),
            bc.QUEUE_PING_PONG: (bench_queue_ping_pong, 2),  # round trip = 2 hops
            bc.EVENT_PING_PONG: (bench_event_ping_pong, 2),
            bc.TIMER_SCHEDULE_FIRE: (bench_timer_schedule_fire, 1),
        }
        for workload in args.workloads:
            if workload in micro:
                fn, ops = micro[workload]
                bc.measure(runtime, workload, lambda n, fn=fn: runner.run(fn(n)),
                           ops_per_iter=ops, target_s=args.target_s, reps=args.reps)

    if bc.MILLION_SLEEPERS in args.workloads:
        bc.run_million(runtime, os.path.abspath(__file__), ["--uvloop"] if args.uvloop else [],
                       args.count, args.sleep_s, args.reps)


if __name__ == "__main__":
    main()
