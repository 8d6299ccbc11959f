using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Castio.RtkSimulator;

/// <summary>
/// A running simulator. Start one in-process with <see cref="StartAsync"/> (tests, standalone Castio)
/// or run the project on its own (<c>dotnet run --project Castio.RtkSimulator</c>).
/// </summary>
public sealed class RtkSimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly WebhookDispatcher _dispatcher;

    private RtkSimulatorHost(WebApplication web, WebhookDispatcher dispatcher, RtkSimulatorState state, RtkSimulatorOptions options, string serverUrl)
    {
        _web = web;
        _dispatcher = dispatcher;
        State = state;
        Options = options;
        ServerUrl = serverUrl;
    }

    /// <summary>Root of the server, e.g. http://127.0.0.1:5123 (no trailing slash).</summary>
    public string ServerUrl { get; }

    /// <summary>What to put in Rtk:BaseUrl (the simulator's equivalent of https://api.cloudflare.com/client/v4).</summary>
    public string BaseUrl => ServerUrl + "/client/v4";

    /// <summary>What to put in Rtk:WebhookPublicKeyUrl.</summary>
    public string PublicKeyUrl => ServerUrl + ControlApi.WellKnownKeyPath;

    public string AccountId => Options.AccountId;

    public RtkSimulatorState State { get; }

    public RtkSimulatorOptions Options { get; }

    /// <summary>The control endpoints (method, path, description); also served at GET /__sim.</summary>
    public static IReadOnlyList<(string Method, string Path, string What)> ControlEndpoints => ControlApi.Endpoints;

    public static async Task<RtkSimulatorHost> StartAsync(RtkSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RtkSimulatorOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(RtkSimulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        if (!options.EnableLogging) builder.Logging.ClearProviders();

        var dispatcher = new WebhookDispatcher(options);
        var state = new RtkSimulatorState(options, dispatcher);
        dispatcher.State = state;
        builder.Services.AddSingleton(state);

        var web = builder.Build();
        web.UseMiddleware<SimulatorMiddleware>();
        RestApi.Map(web, state);
        ControlApi.Map(web, state, dispatcher);

        await web.StartAsync(cancellationToken);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var serverUrl = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        state.ServerUrl = serverUrl;
        if (options.DefaultAppId is { } appId) state.CreateApp(options.DefaultAppName, appId);
        dispatcher.Start();
        return new RtkSimulatorHost(web, dispatcher, state, options, serverUrl);
    }

    /// <summary>Blocks until the host is asked to stop (Ctrl+C for the standalone run).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _web.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}
