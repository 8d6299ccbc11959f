using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Castio.Core.Storage.Local;
using Castio.Functions.Hosting;
using Castio.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Castio.Tests.Hosting;

public class HostStartupTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task PingAnswersStatusAndVersionWithoutAuth()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var ping = await client.GetFromJsonAsync<JsonElement>("/api/ping", TestContext.Current.CancellationToken);
        Assert.Equal("ok", ping.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(ping.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task OpenApiDocumentListsTheRealRoutesAndEachBelongsToAFunction()
    {
        await using var app = new CastioApplication(azurite);
        using var client = app.CreateHttpClient();
        var response = await client.GetAsync("/api/openapi.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("Castio API", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().ToList();
        Assert.Contains(paths, p => p.Name == "/api/ping");
        Assert.Contains(paths, p => p.Name == "/api/echo");
        foreach (var path in paths)
        {
            var methods = path.Value.EnumerateObject().Select(m => m.Name.ToUpperInvariant()).ToList();
            Assert.True(RouteCoverage.IsCovered(RoutePatternFactory.Parse(path.Name), methods, AppFunctions.Http), $"{path.Name} has no HTTP function");
        }
    }

    [Fact]
    public async Task InvalidOptionsStopTheAppAtStartup()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Storage:NamePrefix", "Not_Valid!");
        AssertStartupFailsNaming(app, "NamePrefix");
    }

    [Fact]
    public async Task OutOfRangeQueueOptionStopsTheAppAtStartup()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Queues:BatchSize", "500");
        AssertStartupFailsNaming(app, "BatchSize");
    }

    // WebApplicationFactory sometimes masks the start-up exception with an ObjectDisposedException from its own
    // clean-up; the host logs the original, so the field's name is looked for in both.
    private static void AssertStartupFailsNaming(CastioApplication app, string field)
    {
        var error = Assert.ThrowsAny<Exception>(() => app.BaseAddress);
        Assert.True(error.ToString().Contains(field) || app.Logs.Any(l => l.Contains(field) && l.Contains("OptionsValidationException")),
            $"start-up failure does not name {field}: {error}");
    }

    [Fact]
    public async Task LogsNeverContainTheStorageKey()
    {
        await using var app = new CastioApplication(azurite).WithSetting("Echo:Enabled", "true");
        using var client = app.CreateHttpClient();
        var ct = TestContext.Current.CancellationToken;
        await client.GetAsync("/api/ping", ct);
        await client.PostAsJsonAsync("/api/echo", new { message = "log check" }, ct);
        await client.GetAsync("/api/nothing-here", ct);
        Assert.NotEmpty(app.Logs);
        Assert.DoesNotContain(app.Logs, line => line.Contains(AzuriteProcess.DevelopmentAccountKey) || line.Contains("AccountKey="));
    }
}
