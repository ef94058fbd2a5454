#!/usr/bin/env node
import { runMain } from "../_process_io.ts";
import { runAtrium } from "./mod.ts";

runMain(runAtrium);
