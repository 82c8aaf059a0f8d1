/// The package version, bumped for each release; `--version` adds the git
/// revision when the binary was built from a checkout (`gitRevision`, written
/// at build time by the VersionStamp plugin).
let packageVersion = "0.1.0"

var versionText: String {
    gitRevision.map { "\(packageVersion) (\($0))" } ?? packageVersion
}
