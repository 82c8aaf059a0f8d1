import Glibc

/// Starts `words` (the executable, then its arguments) as a shell would:
/// SIGPIPE, SIGINT and SIGTERM unblocked and at their default, since the test
/// runner's threads may block or ignore them; `actions` sets its descriptors.
/// Nil when the spawn fails.
func spawnAsFromAShell(_ words: [String], _ actions: inout posix_spawn_file_actions_t) -> pid_t? {
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var none = sigset_t(), defaults = sigset_t()
    sigemptyset(&none)
    sigemptyset(&defaults)
    for s in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, s) }
    posix_spawnattr_setsigmask(&attr, &none)
    posix_spawnattr_setsigdefault(&attr, &defaults)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    return posix_spawn(&pid, words[0], &actions, &attr, argv, environ) == 0 ? pid : nil
}

/// Runs pcitime with `arguments`, stdout and stderr to /dev/null, sends it
/// `signal` after `delay` ms and waits for it.
func interrupt(_ arguments: [String], with signal: Int32, after delay: Int) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    guard let pid = spawnAsFromAShell([CLITests.binary] + arguments, &actions) else { return }
    usleep(UInt32(delay * 1000))
    kill(pid, signal)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
}
