using System.Net;
using Castio.Tests.Infrastructure;

namespace Castio.Tests.Hosting;

/// <summary>LocalHost honours local.settings.json's Host.CORS as func start does; the sample allows the SPA dev server.</summary>
public class CorsTests(AzuriteFixture azurite) : IDisposable
{
    private const string SpaOrigin = "http://localhost:5173";
    private readonly string _settings = Path.Combine(Path.GetTempPath(), $"castio-cors-{Guid.NewGuid():N}.json");

    private CastioApplication NewApp()
    {
        // The sample is what a developer copies to local.settings.json.
        File.Copy(Path.Combine(SettingsTests.RepoRoot, "local.settings.sample.json"), _settings, overwrite: true);
        return new CastioApplication(azurite).WithSetting("LocalHost:SettingsFile", _settings);
    }

    public void Dispose() => File.Delete(_settings);

    [Fact]
    public async Task PreflightFromTheSpaDevServerIsAllowed()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/auth/login");
        preflight.Headers.Add("Origin", SpaOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");

        var response = await client.SendAsync(preflight, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(SpaOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")));
    }

    [Fact]
    public async Task RequestFromTheSpaDevServerGetsTheCorsHeaders()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ping");
        request.Headers.Add("Origin", SpaOrigin);

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SpaOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task AnotherOriginGetsNoCorsHeaders()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/auth/login");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/ping");
        request.Headers.Add("Origin", "https://evil.example");

        var refused = await client.SendAsync(preflight, TestContext.Current.CancellationToken);
        var plain = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(plain.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
