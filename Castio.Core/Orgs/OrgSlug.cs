using System.Buffers;

namespace Castio.Core.Orgs;

/// <summary>
/// Organization slugs: URL-safe, lower-case, 3 to 40 characters of a-z, 0-9 and single hyphens,
/// starting and ending with a letter or digit, and not a word the SPA or API uses in its paths.
/// </summary>
public static class OrgSlug
{
    public const int MinLength = 3;
    public const int MaxLength = 40;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    // Path words of the SPA and API, which share the first path segment with org slugs ("/{orgSlug}/m/{slug}").
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "api", "admin", "app", "assets", "auth", "branding", "static", "login", "logout", "register",
        "signup", "invite", "m", "meetings", "settings", "webhooks", "www", "castio", "health", "docs",
        "openapi", "swagger", "root", "system", "support", "help", "status",
    };

    /// <summary>Trims and lower-cases; slugs compare case-insensitively.</summary>
    public static string Normalize(string? slug) => (slug ?? "").Trim().ToLowerInvariant();

    /// <summary>Returns a message for an invalid (normalized) slug, or null.</summary>
    public static string? Check(string slug)
    {
        if (slug.Length is < MinLength or > MaxLength)
        {
            return $"Slug must be {MinLength} to {MaxLength} characters.";
        }

        if (slug.AsSpan().IndexOfAnyExcept(Allowed) >= 0)
        {
            return "Slug may contain only lower-case letters, digits and hyphens.";
        }

        if (slug[0] == '-' || slug[^1] == '-' || slug.Contains("--", StringComparison.Ordinal))
        {
            return "Slug must start and end with a letter or digit and not contain '--'.";
        }

        return Reserved.Contains(slug) ? "This slug is reserved." : null;
    }
}
