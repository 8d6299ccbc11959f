using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Castio.Tests.Webhooks;

/// <summary>A real HTTP endpoint that records what it receives and answers with a chosen status.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _web;

    private WebhookReceiver(WebApplication web, string url)
    {
        _web = web;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<Received> Received { get; } = new();

    /// <summary>Status for the n-th request (1-based); 200 by default.</summary>
    public Func<int, int> StatusFor { get; set; } = _ => 200;

    /// <summary>Optional extra routes (e.g. a key document) served by the same host.</summary>
    public static async Task<WebhookReceiver> StartAsync(Action<WebApplication>? map = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var web = builder.Build();
        WebhookReceiver? receiver = null;
        var count = 0;
        map?.Invoke(web);
        web.MapPost("/webhooks/rtk", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var n = Interlocked.Increment(ref count);
            receiver!.Received.Enqueue(new Received(
                request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), buffer.ToArray()));
            return Results.StatusCode(receiver.StatusFor(n));
        });
        await web.StartAsync(cancellationToken);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(web, address.TrimEnd('/'));
        return receiver;
    }

    public string WebhookUrl => Url + "/webhooks/rtk";

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}

internal sealed record Received(IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
    public System.Text.Json.Nodes.JsonObject Json => (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(Body)!;
}
