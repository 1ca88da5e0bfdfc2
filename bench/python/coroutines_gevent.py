#!/usr/bin/python3
"""Coroutine micro-benchmarks for gevent (greenlets on gevent's default hub loop).

Python-side counterpart of the C# BenchmarkDotNet suite in
bench/Eddy.Benchmarks; see README.md for the workload definitions.

    /usr/bin/python3 coroutines_gevent.py [--quick] [--count N]

No monkey-patching: the workloads only use gevent's own primitives.
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import os
import time

import gevent
import gevent.event
import gevent.queue

import benchcommon as bc

perf_ns = time.perf_counter_ns
RUNTIME = "gevent"


# Each bench_* function runs n iterations from the main greenlet (which
# blocks by switching to the hub, exactly like any other greenlet) and
# returns the elapsed ns. Hot names are bound to locals: we want the
# runtime's cost, not repeated global/attribute lookups in the loop itself.

def _return_value():
    return 42


def bench_spawn_join(n):
    spawn = gevent.spawn
    fn = _return_value
    t0 = perf_ns()
    for _ in range(n):
        spawn(fn).get()  # join + fetch the return value
    return perf_ns() - t0


def _queue_echo(q_in, q_out):
    get, put = q_in.get, q_out.put_nowait
    while True:
        item = get()
        if item is None:
            return
        put(item)


def bench_queue_ping_pong(n):
    # Queue() without maxsize is unbounded, so put_nowait() never fails; it
    # is the same call asyncio's side uses.
    q1, q2 = gevent.queue.Queue(), gevent.queue.Queue()
    echo = gevent.spawn(_queue_echo, q1, q2)
    put, get = q1.put_nowait, q2.get
    t0 = perf_ns()
    for i in range(n):
        put(i)
        get()
    elapsed = perf_ns() - t0
    put(None)
    echo.join()
    return elapsed


def _event_echo(e_in, e_out, stop):
    wait, clear, signal = e_in.wait, e_in.clear, e_out.set
    while True:
        wait()
        clear()
        if stop:
            return
        signal()


def bench_event_ping_pong(n):
    e1, e2 = gevent.event.Event(), gevent.event.Event()
    stop = []  # mutable flag shared with the echo greenlet
    echo = gevent.spawn(_event_echo, e1, e2, stop)
    signal, wait, clear = e1.set, e2.wait, e2.clear
    t0 = perf_ns()
    for _ in range(n):
        signal()
        wait()
        clear()
    elapsed = perf_ns() - t0
    stop.append(True)
    signal()
    echo.join()
    return elapsed


def bench_timer_schedule_fire(n):
    # A raw libev/libuv timer watcher (loop.timer(0)) waited on with
    # hub.wait() is the closest equivalent of asyncio's call_later(0, cb):
    # one timer-queue entry whose callback resumes the waiter. It is exactly
    # what gevent.sleep(t > 0) does internally (minus update_now(), which
    # only matters for non-zero delays). gevent.spawn_later(0, f) would also
    # create and schedule a whole greenlet, and gevent.sleep(0) bypasses the
    # timer queue entirely (it is a plain run_callback), so neither fits.
    hub = gevent.get_hub()
    new_timer, wait = hub.loop.timer, hub.wait
    t0 = perf_ns()
    for _ in range(n):
        timer = new_timer(0)
        wait(timer)
        timer.close()  # free the watcher now, like gevent.sleep's `with`
    return perf_ns() - t0


def bench_million_sleepers(count, sleep_s):
    spawn, sleep = gevent.spawn, gevent.sleep
    t0 = perf_ns()
    greenlets = [spawn(sleep, sleep_s) for _ in range(count)]
    # Joining one by one is the plain "join all": after the first greenlet
    # finishes the others are already done, and it skips joinall()/iwait()'s
    # extra per-greenlet link bookkeeping.
    for g in greenlets:
        g.join()
    return perf_ns() - t0


def main():
    args = bc.parse_args(__doc__.splitlines()[0])
    if args.million_child:
        bc.million_child(bench_million_sleepers, args.count, args.sleep_s)
        return

    import greenlet
    bc.log(f"# {RUNTIME}: gevent {gevent.__version__}, greenlet {greenlet.__version__}, "
           f"loop={gevent.config.loop.__module__}; {bc.describe_host()}")

    micro = {
        bc.SPAWN_JOIN: (bench_spawn_join, 1),
        bc.QUEUE_PING_PONG: (bench_queue_ping_pong, 2),  # round trip = 2 hops
        bc.EVENT_PING_PONG: (bench_event_ping_pong, 2),
        bc.TIMER_SCHEDULE_FIRE: (bench_timer_schedule_fire, 1),
    }
    for workload in args.workloads:
        if workload in micro:
            fn, ops = micro[workload]
            bc.measure(RUNTIME, workload, fn, ops_per_iter=ops,
                       target_s=args.target_s, reps=args.reps)

    if bc.MILLION_SLEEPERS in args.workloads:
        bc.run_million(RUNTIME, os.path.abspath(__file__), [],
                       args.count, args.sleep_s, args.reps)


if __name__ == "__main__":
    main()
