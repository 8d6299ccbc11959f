using System.Text.RegularExpressions;
using Sentry;

namespace Castio.Core.Observability;

/// <summary>
/// Removes personal data and secrets from an event before it leaves the process: e-mail and IP addresses, JWTs
/// (Castio's and RTK's participant tokens), bearer and basic credentials, opaque tokens, passwords and secret-named
/// values, query strings, and the Authorization, Cookie and forwarding headers.
/// </summary>
public static partial class PiiScrubber
{
    public const string Redacted = "[redacted]";

    // Headers whose values identify or authenticate the caller; dropped whole.
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Functions-Key", "X-Api-Key", "X-Sentry-Auth",
        "X-Forwarded-For", "X-Real-IP", "X-Client-IP", "X-Original-For", "Forwarded", "CF-Connecting-IP", "True-Client-IP", "X-Azure-ClientIP",
        "X-Azure-SocketIP", "X-Ms-Client-Principal", "X-Ms-Client-Principal-Name", "X-Ms-Client-Principal-Id", "X-Ms-Token-Aad-Id-Token",
    };

    /// <summary>Scrubs one text; null stays null.</summary>
    public static string? Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text;
        text = Jwt().Replace(text, "[jwt]");
        text = Credential().Replace(text, m => m.Groups[1].Value + " " + Redacted);
        text = SecretValue().Replace(text, m => m.Groups[1].Value + Redacted);
        text = Email().Replace(text, "[email]");
        text = IPv4().Replace(text, "[ip]");
        text = IPv6().Replace(text, "[ip]");
        return OpaqueToken().Replace(text, m => Guid.TryParse(m.Value, out _) || !m.Value.Any(char.IsAsciiDigit) || !m.Value.Any(char.IsAsciiLetter) ? m.Value : "[token]");
    }

    /// <summary>Sentry's BeforeSend: every text field the event carries, the request, the user; never drops the event.</summary>
    public static SentryEvent ScrubEvent(SentryEvent e)
    {
        e.ServerName = null;
        e.Message = e.Message is null ? null : new SentryMessage
        {
            Message = Scrub(e.Message.Message),
            Formatted = Scrub(e.Message.Formatted),
        };
        e.TransactionName = Scrub(e.TransactionName);
        foreach (var exception in e.SentryExceptions ?? [])
        {
            exception.Value = Scrub(exception.Value);
            if (exception.Mechanism is { } mechanism)
            {
                mechanism.Description = Scrub(mechanism.Description);
                ScrubValues(mechanism.Data);
            }
        }

        foreach (var (key, value) in e.Tags.ToList())
            e.SetTag(key, Scrub(value) ?? "");
        foreach (var (key, value) in e.Extra.ToList())
            e.SetExtra(key, value is string s ? Scrub(s) : value);

        // Only the user id (a Castio id) is kept: no e-mail, name or address.
        e.User = new SentryUser { Id = e.User.Id };

        var request = e.Request;
        request.Url = request.Url is null ? null : Scrub(StripQuery(request.Url));
        request.QueryString = ScrubQuery(request.QueryString);
        request.Cookies = null;
        request.Data = null;
        foreach (var (name, value) in request.Headers.ToList())
        {
            if (SecretHeaders.Contains(name))
                request.Headers.Remove(name);
            else
                request.Headers[name] = Scrub(value) ?? "";
        }

        request.Env.Clear();
        return e;
    }

    /// <summary>A query string with every value replaced: values are the caller's data (tokens, e-mail, codes).</summary>
    public static string? ScrubQuery(string? query)
    {
        if (string.IsNullOrEmpty(query))
            return query;
        var parts = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2) is [var name, _] ? Scrub(Uri.UnescapeDataString(name)) + "=" + Redacted : Scrub(p));
        return string.Join('&', parts);
    }

    private static string StripQuery(string url) => url.IndexOf('?') is var at and >= 0 ? url[..at] : url;

    private static void ScrubValues(IDictionary<string, object> values)
    {
        foreach (var (key, value) in values.ToList())
            values[key] = value is string s ? Scrub(s)! : value;
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    // A credential after its scheme; prose ("basic authentication") has no digit or padding and stays.
    [GeneratedRegex(@"(?i)\b(bearer|basic)\s+(?=[A-Za-z0-9._~+/=-]*[0-9=])[A-Za-z0-9._~+/=-]{8,}")]
    private static partial Regex Credential();

    // key=value, key: value, "key":"value" for names that hold secrets; the name stays, the value goes.
    [GeneratedRegex(@"(?i)(""?\b[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|authorization|cookie|signature|dsn)[\w-]*""?\s*[:=]\s*""?)[^\s""&,;}]+")]
    private static partial Regex SecretValue();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")]
    private static partial Regex IPv4();

    // Full eight groups, or a compressed form with "::"; not inside words, so "Type::Member" stays.
    [GeneratedRegex(@"(?<![\w:.])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})?::(?:(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4})?)(?!\w|:[0-9A-Fa-f])")]
    private static partial Regex IPv6();

    // Long runs of base64url/hex with letters and digits (Castio's 43-character opaque tokens, API keys, hashes);
    // GUIDs are ids and long identifiers have no digits, so both stay.
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")]
    private static partial Regex OpaqueToken();
}
