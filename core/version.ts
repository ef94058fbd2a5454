/** Atrium's version, and the Pacemaker version whose behaviour it follows. */
export const ATRIUM_VERSION = "0.1.0";
export const PACEMAKER_COMPAT_VERSION = "2.1.5";
