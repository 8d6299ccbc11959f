using System.Security.Cryptography;
using Castio.Core.Rtk;
using Castio.RtkSimulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Castio.LocalHost;

public static partial class RtkSimulatorHosting
{
    /// <summary>App id the in-process simulator starts with when Rtk:AppId is not set.</summary>
    public const string SimulatorDefaultAppId = "00000000-0000-7000-8000-000000000001";

    /// <summary>
    /// With neither Rtk:ApiToken nor an Rtk:BaseUrl other than Cloudflare's outside Azure, starts the RTK simulator
    /// in-process on a free port, points Rtk options at it, says so loudly, and once Castio listens
    /// subscribes Castio's <c>/webhooks/rtk</c> to every simulated event. Any other Rtk:BaseUrl (a simulator
    /// started on its own, say) is always used as given. In Azure (WEBSITE_INSTANCE_ID set) a missing token is left to
    /// fail start-up validation instead.
    /// </summary>
    public static WebApplicationBuilder AddRtkOrSimulator(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(RtkOptions.SectionName);
        var inAzure = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID"));
        var noToken = string.IsNullOrWhiteSpace(section[nameof(RtkOptions.ApiToken)]);
        // local.settings.sample.json spells out Cloudflare's URL; only another one means "use that RTK".
        var baseUrl = section[nameof(RtkOptions.BaseUrl)]?.Trim().TrimEnd('/');
        var ownBaseUrl = !string.IsNullOrEmpty(baseUrl) && !string.Equals(baseUrl, new RtkOptions().BaseUrl, StringComparison.OrdinalIgnoreCase);
        if (noToken && ownBaseUrl && !inAzure)
            builder.Services.AddHostedService<BaseUrlWithoutToken>();
        else if (noToken && !inAzure)
        {
            var appId = section[nameof(RtkOptions.AppId)] is { Length: > 0 } configured ? configured : SimulatorDefaultAppId;
            var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            // The builder phase is synchronous; the simulator must listen before options are bound.
            var simulator = RtkSimulatorHost.StartAsync(new RtkSimulatorOptions
            {
                ApiToken = token,
                DefaultAppId = appId,
                AutoAdvanceRecordings = true,
                ProduceArtefactsOnEnd = true,
            }).GetAwaiter().GetResult();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{RtkOptions.SectionName}:{nameof(RtkOptions.BaseUrl)}"] = simulator.BaseUrl,
                [$"{RtkOptions.SectionName}:{nameof(RtkOptions.AccountId)}"] = simulator.AccountId,
                [$"{RtkOptions.SectionName}:{nameof(RtkOptions.ApiToken)}"] = token,
                [$"{RtkOptions.SectionName}:{nameof(RtkOptions.AppId)}"] = appId,
                [$"{RtkOptions.SectionName}:{nameof(RtkOptions.WebhookPublicKeyUrl)}"] = simulator.PublicKeyUrl,
            });
            builder.Services.AddSingleton(simulator);
            builder.Services.AddHostedService<SimulatorLifetime>();
        }
        return builder;
    }

    /// <summary>Says why RTK calls will answer 503: the configured Rtk:BaseUrl is used, but without a token.</summary>
    private sealed partial class BaseUrlWithoutToken(IConfiguration configuration, ILogger<BaseUrlWithoutToken> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogBaseUrlWithoutToken(logger, configuration[$"{RtkOptions.SectionName}:{nameof(RtkOptions.BaseUrl)}"]!);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 1004, EventName = "RtkBaseUrlWithoutToken", Level = LogLevel.Warning,
            Message = "Rtk:BaseUrl is {BaseUrl} but Rtk:ApiToken and Rtk:AccountId are not set: no in-process simulator is started and RTK calls answer 503 until they are")]
        private static partial void LogBaseUrlWithoutToken(ILogger logger, string baseUrl);
    }

    /// <summary>Announces the simulator, registers Castio's webhook URL once Kestrel listens, and stops the simulator with the app.</summary>
    private sealed partial class SimulatorLifetime(
        RtkSimulatorHost simulator, IServer server, IHostApplicationLifetime lifetime, IConfiguration configuration, ILogger<SimulatorLifetime> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogSimulatorInUse(logger, simulator.BaseUrl, simulator.ServerUrl);
            lifetime.ApplicationStarted.Register(RegisterWebhook);
            return Task.CompletedTask;
        }

        private void RegisterWebhook()
        {
            var baseUrl = configuration["Rtk:SimulatorCallbackBaseUrl"] ?? ListeningUrl();
            if (baseUrl is null)
            {
                LogNoAddress(logger);
                return;
            }
            var url = baseUrl.TrimEnd('/') + "/webhooks/rtk";
            simulator.State.RegisterAccountWebhook(url);
            LogWebhookRegistered(logger, url);
        }

        private string? ListeningUrl()
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault();
            if (address is null) return null;
            // Wildcard bindings are not dialable; the simulator runs on this machine.
            return address.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal);
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await simulator.DisposeAsync();

        [LoggerMessage(EventId = 1001, EventName = "RtkSimulatorInUse", Level = LogLevel.Warning,
            Message = "*** NO RTK CREDENTIALS CONFIGURED (Rtk:ApiToken): USING THE IN-PROCESS RTK SIMULATOR at {BaseUrl}. No real meetings will happen. Control endpoints: {ServerUrl}/__sim ***")]
        private static partial void LogSimulatorInUse(ILogger logger, string baseUrl, string serverUrl);

        [LoggerMessage(EventId = 1002, EventName = "RtkSimulatorWebhookRegistered", Level = LogLevel.Warning,
            Message = "RTK simulator will deliver every webhook event to {Url}")]
        private static partial void LogWebhookRegistered(ILogger logger, string url);

        [LoggerMessage(EventId = 1003, EventName = "RtkSimulatorNoAddress", Level = LogLevel.Warning,
            Message = "RTK simulator: Castio's listening address is unknown, so no webhook URL was registered (set Rtk:SimulatorCallbackBaseUrl)")]
        private static partial void LogNoAddress(ILogger logger);
    }
}
