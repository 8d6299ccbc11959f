using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Castio.Core.Observability;
using Castio.Functions.Http;
using Castio.LocalHost;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Castio.Tests.Observability;

/// <summary>
/// A Castio.LocalHost whose capture endpoints stand in for Sentry: it listens on a port chosen up front, so its
/// own DSNs can point at it (<c>/__capture/sentry-vendor</c>, <c>/__capture/sentry-customer</c>), and it serves
/// <see cref="FaultyFunctions"/>. Tests read back what the SDK really posted.
/// </summary>
public static class SentryCapture
{
    public const string VendorName = "sentry-vendor";
    public const string CustomerName = "sentry-customer";

    public static int FreePort() => Castio.LocalHost.LoopbackPorts.Free();

    public static string Dsn(int port, string name) => $"http://publickey@127.0.0.1:{port}/__capture/{name}/1";

    /// <summary>The app with capture endpoints on, both DSNs pointing at them, and the faulty functions served.</summary>
    public static CastioApplication Create(AzuriteFixture azurite, out int port)
    {
        port = FreePort();
        return new CastioApplication(azurite)
            .WithSetting("urls", $"http://127.0.0.1:{port}")
            .WithSetting(CaptureEndpoints.EnabledSetting, "true")
            .WithSetting("Sentry:VendorDsn", Dsn(port, VendorName))
            .WithSetting("Sentry:Dsn", Dsn(port, CustomerName))
            .WithSetting("Sentry:DeploymentId", "deploy-test-1")
            .WithSetting("Sentry:Environment", "testing")
            .WithSetting("Sentry:Release", "castio@9.9.9-test")
            .WithServices(s => s.AddSingleton(new FunctionCatalog([typeof(FaultyFunctions)])));
    }

    /// <summary>Waits until queued events are sent, then returns the Sentry events the endpoint <paramref name="name"/> received.</summary>
    public static async Task<IReadOnlyList<SentryEnvelopeEvent>> EventsAsync(CastioApplication app, HttpClient client, string name, int atLeast = 0)
    {
        var ct = TestContext.Current.CancellationToken;
        await app.Services.GetRequiredService<ErrorReporter>().FlushAsync(TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var events = await ReadAsync(client, name, ct);
            if (events.Count >= atLeast || DateTime.UtcNow > deadline)
                return events;
            await Task.Delay(100, ct);
        }
    }

    public static async Task<IReadOnlyList<SentryEnvelopeEvent>> ReadAsync(HttpClient client, string name, CancellationToken ct)
    {
        var captured = await client.GetFromJsonAsync<JsonElement>($"/__capture/{name}", ct);
        return [.. captured.EnumerateArray().SelectMany(c => SentryEnvelopeEvent.Parse(c.GetProperty("path").GetString()!, c.GetProperty("body").GetString()!))];
    }
}

/// <summary>One event item of a Sentry envelope as it arrived: the raw text of the whole envelope and the event JSON.</summary>
public sealed record SentryEnvelopeEvent(string Path, string RawEnvelope, JsonElement Event)
{
    public string? Tag(string name) => Event.TryGetProperty("tags", out var tags) && tags.TryGetProperty(name, out var value) ? value.GetString() : null;

    public string ExceptionType => Event.GetProperty("exception").GetProperty("values").EnumerateArray().Last().GetProperty("type").GetString()!;

    /// <summary>Envelope format: a header line, then per item a header line and a payload line.</summary>
    public static IEnumerable<SentryEnvelopeEvent> Parse(string path, string envelope)
    {
        var lines = envelope.Split('\n');
        for (var i = 1; i + 1 < lines.Length; i += 2)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
                continue;
            var header = JsonDocument.Parse(lines[i]).RootElement;
            if (header.GetProperty("type").GetString() == "event")
                yield return new SentryEnvelopeEvent(path, envelope, JsonDocument.Parse(lines[i + 1]).RootElement.Clone());
        }
    }
}
