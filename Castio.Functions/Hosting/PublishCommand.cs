using System.Diagnostics;

namespace Castio.Functions.Hosting;

/// <summary>
/// <c>dotnet run --project Castio.Functions -- publish &lt;outdir&gt; [--runtime linux-x64] [--manifests-only]</c>:
/// a self-contained publish of this app plus host.json and one generated function.json per function.
/// </summary>
internal static class PublishCommand
{
    private const string ProjectFile = "Castio.Functions.csproj";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            await Console.Error.WriteLineAsync("usage: publish <outdir> [--runtime linux-x64] [--manifests-only]");
            return 2;
        }
        var output = Path.GetFullPath(args[0]);
        var runtime = Option(args, "--runtime") ?? "linux-x64";
        if (!args.Contains("--manifests-only"))
        {
            var project = FindProject();
            if (project is null)
            {
                await Console.Error.WriteLineAsync($"Cannot find {ProjectFile} above the current folder; run this from the repository.");
                return 1;
            }
            // Self-contained: the Flex 'custom' runtime image is not known to carry a .NET runtime (spec §7.2).
            // ReadyToRun trims cold start (measured ~7% to first 200 on /api/ping; bench/cold-start).
            var code = await RunProcessAsync("dotnet", ["publish", project, "-c", "Release", "-r", runtime, "--self-contained", "true", "-p:PublishReadyToRun=true", "-o", output]);
            if (code != 0)
                return code;
        }
        var hostJson = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, FunctionManifest.HostFile));
        var written = FunctionManifest.Write(output, AppFunctions.All, hostJson);
        Console.WriteLine($"Wrote {written.Count} files ({AppFunctions.All.Count} functions) to {output}");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static string? FindProject()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "Castio.Functions", ProjectFile);
                if (File.Exists(candidate))
                    return candidate;
                if (File.Exists(Path.Combine(dir.FullName, ProjectFile)))
                    return Path.Combine(dir.FullName, ProjectFile);
            }
        }
        return null;
    }

    private static async Task<int> RunProcessAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
