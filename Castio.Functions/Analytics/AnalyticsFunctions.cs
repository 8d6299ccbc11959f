using System.ComponentModel;
using System.Text;
using Castio.Core.Abuse;
using Castio.Core.Insights;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace Castio.Functions.Analytics;

/// <summary>
/// Analytics over a range of UTC days (<c>from</c>, <c>to</c> as yyyy-MM-dd; default the last 30 days; at most a year),
/// as JSON or, with <c>Accept: text/csv</c> or <c>?format=csv</c>, CSV. Owners and admins see the org, hosts their own meetings.
/// </summary>
[Tags("Analytics"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User), Requires(Permission.ViewOwnAnalytics)]
public sealed class AnalyticsFunctions(AnalyticsService analytics)
{
    [Function("Analytics_Overview"), EndpointSummary("Totals over the range, by meeting type")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    public async Task<Results<Ok<AnalyticsReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Overview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/analytics/overview")] HttpRequest req,
        [Description("First UTC day, yyyy-MM-dd.")] string? from, [Description("Last UTC day, yyyy-MM-dd (default today).")] string? to,
        [Description("json (default) or csv.")] string? format, CancellationToken cancellationToken) =>
        Answer(await analytics.OverviewAsync(req.Caller(), from, to, cancellationToken), req, format, "overview");

    [Function("Analytics_Meetings"), EndpointSummary("Figures per meeting with sessions in the range, busiest first")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    public async Task<Results<Ok<AnalyticsReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Meetings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/analytics/meetings")] HttpRequest req,
        [Description("First UTC day, yyyy-MM-dd.")] string? from, [Description("Last UTC day, yyyy-MM-dd (default today).")] string? to,
        [Description("json (default) or csv.")] string? format, CancellationToken cancellationToken) =>
        Answer(await analytics.MeetingsAsync(req.Caller(), from, to, cancellationToken), req, format, "meetings");

    [Function("Analytics_Usage"), EndpointSummary("Figures per day of the range (days without meetings as zeros)")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    public async Task<Results<Ok<AnalyticsReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Usage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/analytics/usage")] HttpRequest req,
        [Description("First UTC day, yyyy-MM-dd.")] string? from, [Description("Last UTC day, yyyy-MM-dd (default today).")] string? to,
        [Description("Only this meeting type (video, audio, webinar, livestream).")] string? meetingType,
        [Description("json (default) or csv.")] string? format, CancellationToken cancellationToken) =>
        Answer(await analytics.UsageAsync(req.Caller(), from, to, meetingType, cancellationToken), req, format, "usage");

    private static Results<Ok<AnalyticsReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult> Answer(
        Outcome<AnalyticsReport> outcome, HttpRequest req, string? format, string name)
    {
        if (format is not (null or "" or "json" or "csv"))
            return Problems.Validation(new FieldErrors().Add("format", "json or csv.").ToDictionary());
        if (outcome.Error is { } error)
            return error.Kind == ErrorKind.Invalid ? Problems.Validation(error.Fields ?? new Dictionary<string, string[]>(), error.Code) : error.ToProblem(req.HttpContext);
        var csv = format == "csv" || (format is null or "" && MediaTypeHeaderValue.TryParseList(req.Headers.Accept, out var accepted)
            && accepted.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)));
        if (!csv) return TypedResults.Ok(outcome.Value);
        var report = outcome.Value;
        return TypedResults.File(Encoding.UTF8.GetBytes(AnalyticsService.ToCsv(report.Items)), "text/csv; charset=utf-8",
            $"castio-{name}-{report.From:yyyy-MM-dd}-{report.To:yyyy-MM-dd}.csv");
    }
}
