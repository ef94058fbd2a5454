#!/usr/bin/env python3
"""Drive the REAL Pacemaker 2.1.5 executor client library (liblrmd.so.28, GnuTLS) against a
remote executor, as pacemaker-controld would: sign-on, register ocf:pacemaker:Dummy, probe,
start, recurring monitor (two results), cancel, stop, unregister, poke. Used by
remote_liblrmd.test.ts against atrium-remoted. Prints one JSON object per step on stdout and
exits non-zero on the first failure.

usage: remote_liblrmd_client.py HOST PORT STATE_DIR   (key from PCMK_authkey_location)
"""
import ctypes
import json
import select
import sys
import time
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_int, c_uint, c_void_p)

HOST, PORT, STATE_DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lib = ctypes.CDLL("liblrmd.so.28")


class Event(Structure):  # lrmd_event_data_t of Pacemaker 2.1.5 (include/crm/lrmd.h)
    _fields_ = [
        ("type", c_int), ("rsc_id", c_char_p), ("op_type", c_char_p), ("user_data", c_char_p),
        ("call_id", c_int), ("timeout", c_int), ("interval_ms", c_uint), ("start_delay", c_int),
        ("rsc_deleted", c_int), ("rc", c_int), ("op_status", c_int), ("output", c_char_p),
        ("t_run", c_uint), ("t_rcchange", c_uint), ("exec_time", c_uint), ("queue_time", c_uint),
        ("connection_rc", c_int), ("params", c_void_p), ("remote_nodename", c_char_p),
        ("exit_reason", c_char_p),
    ]


EVENT_CB = CFUNCTYPE(None, POINTER(Event))
EXEC_COMPLETE, POKE = 2, 5
events = []


def on_event(ev):
    e = ev.contents
    events.append({"type": e.type, "rsc": (e.rsc_id or b"").decode(), "op": (e.op_type or b"").decode(),
                   "call": e.call_id, "rc": e.rc, "status": e.op_status, "interval": e.interval_ms})


cb = EVENT_CB(on_event)
lib.lrmd_remote_api_new.restype = c_void_p
lib.lrmd_remote_api_new.argtypes = [c_char_p, c_char_p, c_int]
lib.lrmd_key_value_add.restype = c_void_p
lib.lrmd_key_value_add.argtypes = [c_void_p, c_char_p, c_char_p]
lib.lrmd_poll.argtypes = [c_void_p, c_int]
lib.lrmd_dispatch.argtypes = [c_void_p]

lrmd = lib.lrmd_remote_api_new(b"atrium-remote", HOST.encode(), PORT)
cmds = ctypes.cast(ctypes.cast(lrmd, POINTER(c_void_p))[0], POINTER(c_void_p))
# lrmd_api_operations_t order: connect, connect_async, is_connected, poke_connection, disconnect,
# register_rsc, get_rsc_info, get_recurring_ops, unregister_rsc, set_callback, exec, cancel, ...
connect = CFUNCTYPE(c_int, c_void_p, c_char_p, POINTER(c_int))(cmds[0])
poke = CFUNCTYPE(c_int, c_void_p)(cmds[3])
disconnect = CFUNCTYPE(c_int, c_void_p)(cmds[4])
register_rsc = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, c_char_p, c_char_p, c_int)(cmds[5])
get_rsc_info = CFUNCTYPE(c_void_p, c_void_p, c_char_p, c_int)(cmds[6])
unregister_rsc = CFUNCTYPE(c_int, c_void_p, c_char_p, c_int)(cmds[8])
set_callback = CFUNCTYPE(None, c_void_p, EVENT_CB)(cmds[9])
exec_ = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, c_char_p, c_uint, c_int, c_int, c_int, c_void_p)(cmds[10])
cancel = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p, c_uint)(cmds[11])


def step(name, **kw):
    print(json.dumps({"step": name, **kw}), flush=True)


def fail(msg):
    step("fail", message=msg)
    sys.exit(1)


fd = c_int(-1)
t0 = time.monotonic()
rc = connect(lrmd, b"real-liblrmd", byref(fd))
step("connect", rc=rc, ms=round((time.monotonic() - t0) * 1000, 1))
if rc != 0:
    fail(f"connect returned {rc}")
set_callback(lrmd, cb)


def pump(pred, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        hit = [e for e in events if pred(e)]
        if hit:
            return hit
        r = lib.lrmd_poll(lrmd, 0)
        if r > 0:
            lib.lrmd_dispatch(lrmd)
        elif r < 0:
            fail(f"lrmd_poll returned {r}")
        else:
            select.select([fd.value], [], [], 0.05)
    fail("timed out waiting for an event")


RSC = b"liblrmd-dummy"
if register_rsc(lrmd, RSC, b"ocf", b"pacemaker", b"Dummy", 0) != 0:
    fail("register_rsc")
step("register")
if not get_rsc_info(lrmd, RSC, 0):
    fail("get_rsc_info found nothing")
step("info")


def params(interval=None):
    kv = lib.lrmd_key_value_add(None, b"state", f"{STATE_DIR}/liblrmd-dummy.state".encode())
    kv = lib.lrmd_key_value_add(kv, b"CRM_meta_timeout", b"20000")
    if interval:
        kv = lib.lrmd_key_value_add(kv, b"CRM_meta_interval", str(interval).encode())
    return kv


def run(action, want_rc):
    call = exec_(lrmd, RSC, action, b"ud", 0, 20000, 0, 0, params())
    if call <= 0:
        fail(f"exec {action} returned {call}")
    ev = pump(lambda e: e["type"] == EXEC_COMPLETE and e["call"] == call)[0]
    step(action.decode(), call=call, rc=ev["rc"], status=ev["status"])
    if ev["rc"] != want_rc or ev["status"] != 0:
        fail(f"{action} gave rc {ev['rc']} status {ev['status']}, expected rc {want_rc}")


run(b"monitor", 7)  # probe
run(b"start", 0)
mon = exec_(lrmd, RSC, b"monitor", b"mon", 500, 20000, 0, 0, params(500))
if mon <= 0:
    fail(f"recurring monitor returned {mon}")
pump(lambda e: len([x for x in events if x["call"] == mon and x["type"] == EXEC_COMPLETE]) >= 2)
step("recurring", call=mon, results=len([x for x in events if x["call"] == mon]))
if cancel(lrmd, RSC, b"monitor", 500) != 0:
    fail("cancel")
pump(lambda e: e["call"] == mon and e["status"] == 1)
step("cancel")
run(b"stop", 0)
if unregister_rsc(lrmd, RSC, 0) != 0:
    fail("unregister_rsc")
step("unregister")
if poke(lrmd) != 0:
    fail("poke")
pump(lambda e: e["type"] == POKE)
step("poke")
disconnect(lrmd)
step("done")
