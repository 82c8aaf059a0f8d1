import PackagePlugin

/// Stamps the executable with the git revision it is built from: runs
/// scripts/version-stamp before every build (a prebuild command, so a new
/// commit or an edited tree is seen without a clean build). Outside a
/// checkout (a release tarball) the revision is nil and `--version` prints
/// the package version alone.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appending(path: "Stamp")
        let package = context.package.directoryURL
        return [.prebuildCommand(
            displayName: "pcitime: git revision",
            executable: package.appending(path: "scripts/version-stamp"),
            arguments: [package.path(percentEncoded: false), out.path(percentEncoded: false)],
            outputFilesDirectory: out)]
    }
}
