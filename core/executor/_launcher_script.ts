/**
 * Source of the agent launcher: a small Perl fork server (perl-base only: POSIX, Errno) that
 * forks agents for the executor. A fork from this ~5 MB process costs a fraction of a fork from
 * the daemon, and it runs beside the daemon's event loop instead of blocking it.
 *
 * Protocol on the launcher's stdin (requests) and stdout (replies), all lengths in bytes:
 * - `L<len>\n<payload>`: launch; payload is NUL-separated: id, cap, cwd ("" = inherit), command,
 *   argc, the args, then the environment as `KEY=value` entries.
 * - `C<id>\n`: stop waiting for output of an exited job and report it now.
 * - reply `S <id> <pid>\n`: started, in a new session (pgid = pid), stdin from /dev/null.
 * - reply `E <id> <ERRNO>\n`: could not start (e.g. ENOENT from exec or chdir).
 * - reply `W <id>\n`: exited, but a descendant still holds an output pipe open.
 * - reply `X <id> <code|-> <signal> <truncated> <outlen> <errlen>\n<stdout><stderr>`: done.
 * @module
 */

/** Perl source of the launcher, run with `perl -e`. */
export const LAUNCHER_SCRIPT = String.raw`
use strict; use warnings; use POSIX (); use Errno ();
$| = 1;
my (%jobs, %bypid, %byfd);
my $rin;
pipe(my $sigr, my $sigw) or die "pipe: $!";
for my $fh ($sigr, $sigw) { my $f = fcntl($fh, POSIX::F_GETFL(), 0); fcntl($fh, POSIX::F_SETFL(), $f | POSIX::O_NONBLOCK()); }
$SIG{CHLD} = sub { syswrite($sigw, "x"); };
$SIG{PIPE} = 'DEFAULT';
POSIX::sigprocmask(POSIX::SIG_SETMASK(), POSIX::SigSet->new());
binmode STDIN; binmode STDOUT;
open(my $null, '<', '/dev/null') or die "/dev/null: $!";
my $in = '';
sub errname { my $e = $! + 0; my ($n) = grep { $!{$_} } keys %!; return $n // "E$e"; }
sub reply { my $d = shift; my $off = 0;
  while ($off < length $d) { my $w = syswrite(STDOUT, $d, length($d) - $off, $off);
    if (!defined $w) { next if $!{EINTR} || $!{EAGAIN}; POSIX::_exit(0); } $off += $w; } }
sub launch {
  my @f = split /\0/, $_[0], -1;
  my ($id, $cap, $cwd, $cmd, $argc) = splice(@f, 0, 5);
  my @args = splice(@f, 0, $argc);
  # The environment is set here, before the fork, and only where it differs from the last
  # agent's: the child then has nothing to do but exec.
  my %want;
  for my $kv (@f) { my $i = index($kv, '='); if ($i < 0) { $want{$kv} = ''; } else { $want{substr($kv, 0, $i)} = substr($kv, $i + 1); } }
  for my $k (keys %ENV) { delete $ENV{$k} unless exists $want{$k}; }
  while (my ($k, $v) = each %want) { $ENV{$k} = $v unless defined $ENV{$k} && $ENV{$k} eq $v; }
  my ($or, $ow, $er, $ew, $xr, $xw);
  unless (pipe($or, $ow) && pipe($er, $ew) && pipe($xr, $xw)) { reply("E $id " . errname() . "\n"); return; }
  my $pid = fork();
  if (!defined $pid) { my $n = errname(); close $_ for grep { defined } ($or, $ow, $er, $ew, $xr, $xw); reply("E $id $n\n"); return; }
  if ($pid == 0) {
    my $n;
    # Nothing to reset: the CHLD handler goes with exec, SIGPIPE is left at its default and the
    # signal mask is empty outside handlers. Every page the child touches here is copied.
    POSIX::setsid();
    POSIX::dup2(fileno($null), 0); POSIX::dup2(fileno($ow), 1); POSIX::dup2(fileno($ew), 2);
    if ($cwd ne '' && !chdir($cwd)) { $n = errname(); }
    else { { no warnings; exec { $cmd } $cmd, @args; } $n = errname(); }
    syswrite($xw, $n); POSIX::_exit(127);
  }
  close $ow; close $ew; close $xw;
  my ($buf, $r) = ('');
  do { $r = sysread($xr, $buf, 64); } while (!defined $r && $!{EINTR});
  close $xr;
  if (defined $r && $r > 0) { waitpid($pid, 0); close $or; close $er; reply("E $id $buf\n"); return; }
  for my $fh ($or, $er) { my $fl = fcntl($fh, POSIX::F_GETFL(), 0); fcntl($fh, POSIX::F_SETFL(), $fl | POSIX::O_NONBLOCK()); }
  my $j = { id => $id, pid => $pid, cap => $cap + 0, out => '', err => '', trunc => 0, open => 2, status => undef, fds => [] };
  $jobs{$id} = $j; $bypid{$pid} = $j;
  $byfd{fileno($or)} = [$j, 'out', $or]; $byfd{fileno($er)} = [$j, 'err', $er];
  vec($rin, fileno($or), 1) = 1; vec($rin, fileno($er), 1) = 1;
  push @{$j->{fds}}, fileno($or), fileno($er);
  reply("S $id $pid\n");
}
sub finish {
  my $j = shift;
  for my $fd (@{$j->{fds}}) { my $e = delete $byfd{$fd} or next; vec($rin, $fd, 1) = 0; close $e->[2]; }
  my $st = $j->{status};
  my ($code, $sig) = ($st & 127) ? ('-', $st & 127) : ($st >> 8, 0);
  delete $jobs{$j->{id}};
  reply("X $j->{id} $code $sig $j->{trunc} " . length($j->{out}) . " " . length($j->{err}) . "\n" . $j->{out} . $j->{err});
}
sub reap {
  while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $j = delete $bypid{$p} or next;
    $j->{status} = $?;
    if ($j->{open} == 0) { finish($j); } else { reply("W $j->{id}\n"); }
  }
}
sub readout {
  my ($j, $which, $fh, $fd) = @_;
  my $r = sysread($fh, my $chunk, 65536);
  return if !defined $r && ($!{EAGAIN} || $!{EINTR});
  if (!$r) { vec($rin, $fd, 1) = 0; close $fh; delete $byfd{$fd}; $j->{open}--; finish($j) if $j->{open} == 0 && defined $j->{status}; return; }
  my $room = $j->{cap} - length($j->{$which});
  if ($room >= $r) { $j->{$which} .= $chunk; }
  else { $j->{trunc} = 1; $j->{$which} .= substr($chunk, 0, $room) if $room > 0; }
}
$rin = '';
vec($rin, fileno(STDIN), 1) = 1;
vec($rin, fileno($sigr), 1) = 1;
while (1) {
  my $n = select(my $rout = $rin, undef, undef, %bypid ? 0.05 : undef);
  # SIGCHLD interrupts select (n < 0) and its handler writes the self-pipe: drain that here too,
  # or the next select wakes up for nothing.
  if ($n <= 0) { sysread($sigr, my $junk, 4096); reap(); next; }
  if (vec($rout, fileno($sigr), 1)) { sysread($sigr, my $junk, 4096); reap(); }
  my $bits = unpack('b*', $rout);
  my $fd = -1;
  while (($fd = index($bits, '1', $fd + 1)) >= 0) { my $e = $byfd{$fd} or next; readout(@$e, $fd); }
  if (vec($rout, fileno(STDIN), 1)) {
    my $r = sysread(STDIN, $in, 65536, length $in);
    next if !defined $r && $!{EINTR};
    POSIX::_exit(0) if !$r;
    while (1) {
      if ($in =~ /^L(\d+)\n/) { my $h = length($1) + 2; last if length($in) < $h + $1; my $p = substr($in, $h, $1); substr($in, 0, $h + $1) = ''; launch($p); }
      elsif ($in =~ /^C(\d+)\n/) { my $id = $1; substr($in, 0, length($id) + 2) = ''; my $j = $jobs{$id}; finish($j) if $j && defined $j->{status}; }
      elsif ($in =~ /^[LC]\d*$/) { last; }
      elsif ($in eq '') { last; }
      else { POSIX::_exit(2); }
    }
  }
}
`;
