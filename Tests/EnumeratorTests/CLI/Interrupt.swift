import Glibc

/// Runs pcitime with `arguments`, stdout and stderr to /dev/null, sends it
/// `signal` after `delay` ms and waits for it. The child starts with SIGINT
/// and SIGTERM unblocked and at their default, as a shell starts it (the test
/// runner's threads may block them).
func interrupt(_ arguments: [String], with signal: Int32, after delay: Int) {
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var none = sigset_t(), defaults = sigset_t()
    sigemptyset(&none)
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGTERM)
    posix_spawnattr_setsigmask(&attr, &none)
    posix_spawnattr_setsigdefault(&attr, &defaults)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = ([CLITests.binary] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, CLITests.binary, &actions, &attr, argv, environ) == 0 else { return }
    usleep(UInt32(delay * 1000))
    kill(pid, signal)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
}
