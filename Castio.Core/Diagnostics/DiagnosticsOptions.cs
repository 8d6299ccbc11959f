using Microsoft.Extensions.Options;

namespace Castio.Core.Diagnostics;

/// <summary>Settings of health probes and phone-home, bound from the "Diagnostics" section.</summary>
public sealed class DiagnosticsOptions
{
    public const string SectionName = "Diagnostics";

    /// <summary>Where phone-home reports are POSTed (JSON). Empty: nothing leaves; each report is still recorded as not sent.</summary>
    public string PhoneHomeEndpoint { get; set; } = "";

    /// <summary>Longest a single health probe may take before it counts as unhealthy.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

internal sealed class DiagnosticsOptionsValidator : IValidateOptions<DiagnosticsOptions>
{
    public ValidateOptionsResult Validate(string? name, DiagnosticsOptions o)
    {
        var failures = new List<string>();
        if (o.PhoneHomeEndpoint.Length > 0
            && !(Uri.TryCreate(o.PhoneHomeEndpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            failures.Add("Diagnostics:PhoneHomeEndpoint must be empty or an absolute http(s) URL.");
        }

        if (o.ProbeTimeout <= TimeSpan.Zero || o.ProbeTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add("Diagnostics:ProbeTimeout must be positive and at most one minute.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
