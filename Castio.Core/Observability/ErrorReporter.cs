using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sentry;

namespace Castio.Core.Observability;

/// <summary>
/// Sends unhandled exceptions to Sentry through the official SDK: one <see cref="SentryClient"/> per enabled DSN
/// (vendor and customer), each scrubbing in its own BeforeSend. A capture only queues the event: the SDK's
/// background worker sends it, so a slow or unreachable Sentry never holds up an invocation. No global SDK state
/// (no <c>SentrySdk.Init</c>), so two hosts in one process stay apart.
/// </summary>
public sealed partial class ErrorReporter : IDisposable
{
    public const string Vendor = "vendor";
    public const string Customer = "customer";

    private readonly ErrorReportingOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<IReadOnlyList<(string Name, SentryClient Client)>> _clients;

    public ErrorReporter(IOptions<ErrorReportingOptions> options, ILogger<ErrorReporter> logger)
    {
        _options = options.Value;
        _logger = logger;
        _clients = new(CreateClients);
    }

    /// <summary>The destinations an event goes to: <see cref="Vendor"/> and/or <see cref="Customer"/>.</summary>
    public IReadOnlyList<string> Destinations => [.. _clients.Value.Select(c => c.Name)];

    /// <summary>The release events carry: the configured one, else Castio's own version.</summary>
    public string Release => _options.Release is { Length: > 0 } release ? release : DefaultRelease;

    private static string DefaultRelease { get; } = "castio@" + (typeof(ErrorReporter).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>Queues <paramref name="exception"/> for every enabled DSN; never throws, never waits on the network.</summary>
    public void Capture(Exception exception, ErrorContext context)
    {
        var clients = _clients.Value;
        if (clients.Count == 0)
            return;
        foreach (var (name, client) in clients)
        {
            try
            {
                // A fresh event per client: each client's processors and BeforeSend change the event they get.
                client.CaptureEvent(CreateEvent(exception, context));
            }
            catch (Exception e)
            {
                LogCaptureFailed(_logger, name, e);
            }
        }

        LogCaptured(_logger, exception.GetType().Name, context.Function, context.Component, string.Join(",", clients.Select(c => c.Name)));
    }

    /// <summary>Waits up to <paramref name="timeout"/> for queued events to be sent (shutdown, tests).</summary>
    public Task FlushAsync(TimeSpan timeout) => Task.WhenAll(_clients.Value.Select(c => c.Client.FlushAsync(timeout)));

    public void Dispose()
    {
        if (!_clients.IsValueCreated)
            return;
        foreach (var (_, client) in _clients.Value)
            client.Dispose(); // flushes for up to ShutdownTimeout
    }

    private SentryEvent CreateEvent(Exception exception, ErrorContext context)
    {
        var e = new SentryEvent(exception)
        {
            Level = SentryLevel.Error,
            Logger = "Castio.Functions." + context.Component,
            TransactionName = context.Function,
        };
        e.SetTag("component", context.Component);
        e.SetTag("function", context.Function);
        if (_options.DeploymentId is { Length: > 0 } deployment)
            e.SetTag("deployment_id", deployment);
        if (context.OrgId is { } org)
            e.SetTag("org_id", org);
        if (context.MeetingId is { } meeting)
            e.SetTag("meeting_id", meeting);
        if (context.UserId is { } user)
            e.User = new SentryUser { Id = user };
        if (context.Request is { } request)
        {
            e.Request.Method = request.Method;
            e.Request.Url = request.Url;
            e.Request.QueryString = request.QueryString;
            foreach (var (name, value) in request.Headers)
                e.Request.Headers[name] = value;
        }

        return e;
    }

    private IReadOnlyList<(string Name, SentryClient Client)> CreateClients()
    {
        var clients = new List<(string, SentryClient)>();
        if (_options.VendorEnabled && !string.IsNullOrWhiteSpace(_options.VendorDsn))
            clients.Add((Vendor, new SentryClient(SdkOptions(_options.VendorDsn))));
        if (_options.CustomerEnabled && !string.IsNullOrWhiteSpace(_options.Dsn))
            clients.Add((Customer, new SentryClient(SdkOptions(_options.Dsn))));
        LogDestinations(_logger, clients.Count == 0 ? "none (errors are only logged)" : string.Join(",", clients.Select(c => c.Item1)));
        return clients;
    }

    private SentryOptions SdkOptions(string dsn)
    {
        var options = new SentryOptions
        {
            Dsn = dsn,
            Environment = _options.Environment,
            Release = Release,
            SendDefaultPii = false,
            IsGlobalModeEnabled = false,
            AutoSessionTracking = false,
            SendClientReports = false,
            ReportAssembliesMode = ReportAssembliesMode.None,
            TracesSampleRate = 0, // traces go to Application Insights
            ShutdownTimeout = _options.ShutdownTimeout,
            // Only identical events are merged: one place captures each failure once, and tests can see that.
            DeduplicateMode = DeduplicateMode.SameEvent,
        };
        options.SetBeforeSend((e, _) => PiiScrubber.ScrubEvent(e));
        return options;
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Sentry destinations: {Destinations}")]
    private static partial void LogDestinations(ILogger logger, string destinations);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Reported {ExceptionType} from {Function} ({Component}) to Sentry: {Destinations}")]
    private static partial void LogCaptured(ILogger logger, string exceptionType, string function, string component, string destinations);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Sentry capture for {Destination} failed")]
    private static partial void LogCaptureFailed(ILogger logger, string destination, Exception exception);
}
