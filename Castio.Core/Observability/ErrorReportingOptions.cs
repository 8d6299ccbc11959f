using System.ComponentModel.DataAnnotations;

namespace Castio.Core.Observability;

/// <summary>
/// Sentry: the customer's DSN and the vendor's, each with its own switch. An event goes to every DSN that is set and
/// switched on; with none, errors are only logged.
/// </summary>
public sealed class ErrorReportingOptions
{
    public const string SectionName = "Sentry";

    /// <summary>The customer's (operator's) own Sentry project.</summary>
    public string Dsn { get; set; } = "";

    public bool CustomerEnabled { get; set; } = true;

    /// <summary>The platform vendor's Sentry project, one for all deployments, filtered by <c>deployment_id</c>.</summary>
    public string VendorDsn { get; set; } = "";

    public bool VendorEnabled { get; set; } = true;

    [Required]
    public string Environment { get; set; } = "production";

    /// <summary>Empty: Castio's own assembly version.</summary>
    public string Release { get; set; } = "";

    /// <summary>Tells deployments apart in the vendor's project.</summary>
    public string DeploymentId { get; set; } = "";

    /// <summary>How long a shutdown waits for queued events.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Logs and traces to Application Insights (OpenTelemetry), on when APPLICATIONINSIGHTS_CONNECTION_STRING is set.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Share of traces kept (0 to 1); logs are not sampled by this.</summary>
    [Range(0.0, 1.0)]
    public double TracesSampleRate { get; set; } = 1.0;
}
