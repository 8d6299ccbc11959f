using System.ComponentModel.DataAnnotations;

namespace Castio.Functions.Http;

/// <summary>Request limits; every body is bounded.</summary>
public sealed class HttpLimitsOptions
{
    public const string SectionName = "Http";

    [Range(1_024, 104_857_600)]
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;
}
