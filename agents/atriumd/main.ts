#!/usr/bin/env node
import { runDaemonMain } from "../_daemon.ts";
import { runAtriumd, startNodeController } from "./mod.ts";

runDaemonMain(
  "atriumd",
  (argv, io, hooks) => runAtriumd(argv, io, { ...hooks, startController: startNodeController }),
);
