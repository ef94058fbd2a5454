#!/usr/bin/env node
import { runDaemonMain } from "../_daemon.ts";
import { runAtriumd } from "./mod.ts";

runDaemonMain("atriumd", runAtriumd);
