using Microsoft.Extensions.Time.Testing;
using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Castio.Tests.Infrastructure;

/// <summary>
/// Castio.LocalHost (the same function classes the Functions host runs) on real Kestrel (free port), pointed at the shared Azurite with its own storage name prefix and a
/// manual clock. Change settings with <see cref="WithSetting"/> before the first request; create clients with
/// <see cref="CreateHttpClient"/>. Each test creates its own instance with <c>await using</c>.
/// </summary>
// Any Castio.LocalHost type names the entry assembly; `Program` alone is ambiguous next to the RTK simulator's.
public sealed class CastioApplication : WebApplicationFactory<Castio.LocalHost.TimerTriggers>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly List<Action<IServiceCollection>> _services = [];

    public CastioApplication(AzuriteFixture azurite)
    {
        // Table names need a leading letter and no hyphens; queue names need lowercase: letters and digits satisfy both.
        NamePrefix = "t" + Guid.NewGuid().ToString("N")[..10];
        _settings = new(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = NamePrefix,
            // A free port chosen by Kestrel (and not the app's 7071 default).
            ["urls"] = "http://127.0.0.1:0",
            // RTK credentials stop LocalHost from starting its own in-process simulator (whose host the factory
            // would capture instead of Castio's). Nothing listens on port 9, so RTK calls fail fast unless a
            // test points the app at a simulator with WithRtkSimulator.
            ["Rtk:BaseUrl"] = "http://127.0.0.1:9/client/v4",
            ["Rtk:AccountId"] = "tests",
            ["Rtk:ApiToken"] = "tests",
            ["Rtk:AppId"] = "tests",
            ["Auth:SigningKey"] = SigningKey,
            // A developer's own local.settings.json stays out of the tests; CORS tests point at their own file.
            ["LocalHost:SettingsFile"] = Path.Combine(Path.GetTempPath(), "castio-tests-no-local-settings.json"),
        };
        // Not UseKestrel(0): with a port, the factory rewrites the server addresses while the app's own Run() may
        // already be starting Kestrel (minimal hosting leaves start-up to the entry point), which fails at random.
        UseKestrel();
    }

    public FakeTimeProvider Clock { get; } = new(TestClock.Start);

    /// <summary>The app's JWT key (base64), so tests can mint or forge tokens.</summary>
    public string SigningKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Every log entry the app wrote, formatted with its exception.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public string NamePrefix { get; }

    public Castio.Functions.Http.ClientAddressSource ClientAddressSource { get; set; } = Castio.Functions.Http.ClientAddressSource.ForwardedByPlatform;

    public CastioApplication WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Points the app's RTK client at a simulator the test controls (faults, state).</summary>
    public CastioApplication WithRtkSimulator(Castio.RtkSimulator.RtkSimulatorHost simulator) => this
        .WithSetting("Rtk:BaseUrl", simulator.BaseUrl)
        .WithSetting("Rtk:AccountId", simulator.AccountId)
        .WithSetting("Rtk:ApiToken", simulator.Options.ApiToken)
        .WithSetting("Rtk:AppId", simulator.Options.DefaultAppId ?? "")
        .WithSetting("Rtk:WebhookPublicKeyUrl", simulator.PublicKeyUrl);

    public CastioApplication WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>No timer runs by itself: the test runs sweeps by hand, so counts are exact.</summary>
    public CastioApplication WithoutTimers() => WithServices(s =>
    {
        // Configured once per host the factory builds; the first pass already removed it from a shared list.
        foreach (var timer in s.Where(d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService) && d.ImplementationType == typeof(Castio.LocalHost.TimerTriggers)).ToList())
            s.Remove(timer);
    });

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    /// <summary>An HttpClient on the app's real address; <paramref name="handlers"/> (outermost first) can add tokens or headers.</summary>
    public HttpClient CreateHttpClient(params DelegatingHandler[] handlers)
    {
        HttpMessageHandler pipeline = new SocketsHttpHandler();
        foreach (var handler in handlers.Reverse())
        {
            handler.InnerHandler = pipeline;
            pipeline = handler;
        }
        return new HttpClient(pipeline) { BaseAddress = BaseAddress };
    }

    /// <summary>The app's own Table service client.</summary>
    public TableServiceClient Tables => Services.GetRequiredService<TableServiceClient>();

    /// <summary>The app's own Queue service client.</summary>
    public QueueServiceClient Queues => Services.GetRequiredService<QueueServiceClient>();

    /// <summary>A table/queue/container name as the app sees it under its prefix.</summary>
    public string Name(string baseName) => NamePrefix + baseName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            // Many clients from one test process: addresses come from X-Forwarded-For, as behind the Functions host.
            services.AddSingleton(new Castio.Functions.Http.ClientAddress(ClientAddressSource));
            services.AddSingleton<ILoggerProvider>(new CollectingLoggerProvider(Logs));
            foreach (var configure in _services)
                configure(services);
        });
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CollectingLogger(categoryName, sink);

        public void Dispose() { }

        private sealed class CollectingLogger(string category, ConcurrentQueue<string> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                sink.Enqueue($"{logLevel} {category} {formatter(state, exception)} [{values}] {exception}");
            }
        }
    }
}

public static class Eventually
{
    /// <summary>Polls <paramref name="probe"/> until it returns a value or <paramref name="timeout"/> passes (background work is real I/O).</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, CancellationToken cancellationToken) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Condition not met within {timeout}.");
            await Task.Delay(100, cancellationToken);
        }
    }
}
