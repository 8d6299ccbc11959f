using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Castio.Tests.Deploy;

/// <summary>
/// Compiles and lints <c>infra/bicep/main.bicep</c> once per test class with the Bicep CLI that NuGet restored
/// (<c>Azure.Bicep.CommandLine.linux-x64</c>), and keeps the ARM JSON for the assertions.
/// </summary>
public sealed class BicepFixture : IAsyncLifetime
{
    public static string RepoRoot { get; } = FindRepoRoot(AppContext.BaseDirectory);

    public static string MainBicep => Path.Combine(RepoRoot, "infra", "bicep", "main.bicep");

    public ProcessResult Build { get; private set; } = null!;

    public ProcessResult Lint { get; private set; } = null!;

    /// <summary>The compiled subscription-scope template.</summary>
    public ArmTemplate Main { get; private set; } = null!;

    /// <summary>The resource-group template (<c>app/castio.bicep</c>).</summary>
    public ArmTemplate App => Main.Deployment("castio");

    /// <summary>The role assignments (<c>app/rbac.bicep</c>).</summary>
    public ArmTemplate Rbac => App.Deployment("castio-rbac");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var bicep = BicepCli();
        Build = await ProcessResult.RunAsync(bicep, ["build", MainBicep, "--stdout"], RepoRoot, ct: ct);
        Lint = await ProcessResult.RunAsync(bicep, ["lint", MainBicep], RepoRoot, ct: ct);
        Main = new ArmTemplate(Build.ExitCode == 0 ? JsonNode.Parse(Build.StdOut)!.AsObject() : []);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The <c>bicep</c> binary inside the restored package; NuGet may extract it without the execute bit.</summary>
    private static string BicepCli()
    {
        var path = typeof(BicepFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepCli")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new InvalidOperationException(
                $"The Bicep CLI was not restored (expected at '{path}'). Castio.Tests references Azure.Bicep.CommandLine.linux-x64; run dotnet restore.");
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) is var mode && !mode.HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return path;
    }

    private static string FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Castio.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("No Castio.sln above " + start);
    }
}

public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Diagnostic lines as the Bicep CLI prints them: <c>file(line,col) : Warning rule: text</c>.</summary>
    public IReadOnlyList<string> Diagnostics =>
        [.. (StdErr + "\n" + StdOut).Split('\n').Select(l => l.Trim())
            .Where(l => l.Contains(" : Error ", StringComparison.Ordinal) || l.Contains(" : Warning ", StringComparison.Ordinal)
                || l.Contains(" : Info ", StringComparison.Ordinal))];

    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, CancellationToken ct = default, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                info.Environment.Remove(key);
            else
                info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + fileName);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(timeout ?? TimeSpan.FromMinutes(2), ct);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    public override string ToString() => new StringBuilder()
        .AppendLine($"exit code {ExitCode}").AppendLine("stdout:").AppendLine(StdOut).AppendLine("stderr:").AppendLine(StdErr).ToString();
}
