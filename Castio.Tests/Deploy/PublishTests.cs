using System.Reflection.PortableExecutable;
using System.Text.Json;
using Castio.Functions.Http;

namespace Castio.Tests.Deploy;

/// <summary>
/// <c>dotnet publish Castio.Functions -c Release</c> gives the package azd deploys: the standard isolated-worker
/// layout, ReadyToRun, every function in functions.metadata, and nothing of the local-only tooling.
/// </summary>
public sealed class PublishFixture : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), "castio-publish-" + Guid.NewGuid().ToString("N")[..8]);

    public ProcessResult Publish { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Publish = await ProcessResult.RunAsync("dotnet",
            ["publish", Path.Combine(BicepFixture.RepoRoot, "Castio.Functions", "Castio.Functions.csproj"), "-c", "Release", "-o", Output, "-nologo", "-v", "q"],
            // A first publish restores the linux-x64 runtime pack and builds the worker extensions: minutes on 2 cores.
            BicepFixture.RepoRoot, ct: TestContext.Current.CancellationToken, timeout: TimeSpan.FromMinutes(10));

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(Output))
            Directory.Delete(Output, recursive: true);
        return ValueTask.CompletedTask;
    }
}

public class PublishTests(PublishFixture publish) : IClassFixture<PublishFixture>
{
    private string File(string name) => Path.Combine(publish.Output, name);

    [Fact]
    public void PublishGivesTheStandardIsolatedWorkerLayout()
    {
        Assert.True(publish.Publish.ExitCode == 0, publish.Publish.StdOut + publish.Publish.StdErr);
        foreach (var name in new[] { "Castio.Functions.dll", "functions.metadata", "worker.config.json", "host.json", "extensions.json" })
            Assert.True(System.IO.File.Exists(File(name)), $"{name} is missing from the publish output");
        Assert.True(Directory.Exists(File(".azurefunctions")), "the worker extensions (.azurefunctions) are missing");

        using var worker = JsonDocument.Parse(System.IO.File.ReadAllText(File("worker.config.json")));
        Assert.Equal("dotnet-isolated", worker.RootElement.GetProperty("description").GetProperty("language").GetString());
        using var host = JsonDocument.Parse(System.IO.File.ReadAllText(File("host.json")));
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void FunctionsMetadataListsEveryFunction()
    {
        using var metadata = JsonDocument.Parse(System.IO.File.ReadAllText(File("functions.metadata")));
        var names = metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToHashSet();
        var catalog = FunctionCatalog.Instance;
        var expected = catalog.Http.Select(f => f.Name).Concat(catalog.Timers.Select(t => t.Name))
            .Concat(catalog.Orchestrators.Select(o => o.Name)).Concat(catalog.Activities.Select(a => a.Name)).ToList();
        Assert.NotEmpty(expected);
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.Equal(expected.Count, names.Count);
    }

    [Fact]
    public void TheAppIsReadyToRunAndShipsNoLocalTooling()
    {
        using var stream = System.IO.File.OpenRead(File("Castio.Functions.dll"));
        using var pe = new PEReader(stream);
        Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, "Castio.Functions.dll is not ReadyToRun");
        Assert.False(System.IO.File.Exists(File("Castio.RtkSimulator.dll")), "the RTK simulator must not ship");
        Assert.False(System.IO.File.Exists(File("Castio.LocalHost.dll")), "the local host must not ship");
        Assert.False(System.IO.File.Exists(File("local.settings.json")), "local settings must not ship");
    }
}
