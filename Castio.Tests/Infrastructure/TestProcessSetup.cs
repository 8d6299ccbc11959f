using System.Runtime.CompilerServices;

namespace Castio.Tests.Infrastructure;

internal static class TestProcessSetup
{
    /// <summary>
    /// Hundreds of hosts start in this one process (apps, simulators); each would watch its settings files and take
    /// one of the user's inotify instances (128 by default on Linux). Nothing here edits settings while running.
    /// </summary>
    [ModuleInitializer]
    internal static void NoConfigFileWatchers() =>
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}
