namespace Castio.Core.Abuse;

/// <summary>A limit of <paramref name="Limit"/> requests per <paramref name="Window"/> for one key.</summary>
public sealed record RateLimitRule(string Name, int Limit, TimeSpan Window);

/// <summary>The platform's rate limits, in one place. Features apply them to their routes by name.</summary>
public static class RateLimitRules
{
    /// <summary>Login attempts per client address.</summary>
    public static readonly RateLimitRule AuthLogin = new("auth.login", 5, TimeSpan.FromMinutes(1));

    /// <summary>Registrations per client address.</summary>
    public static readonly RateLimitRule AuthRegister = new("auth.register", 3, TimeSpan.FromHours(1));

    /// <summary>Meeting creations per org.</summary>
    public static readonly RateLimitRule MeetingCreate = new("meeting.create", 10, TimeSpan.FromMinutes(1));

    /// <summary>Joins per meeting.</summary>
    public static readonly RateLimitRule MeetingJoin = new("meeting.join", 30, TimeSpan.FromMinutes(1));

    /// <summary>Guest joins per meeting.</summary>
    public static readonly RateLimitRule GuestJoin = new("guest.join", 20, TimeSpan.FromMinutes(1));

    /// <summary>Chat messages per user.</summary>
    public static readonly RateLimitRule ChatSend = new("chat.send", 30, TimeSpan.FromMinutes(1));

    /// <summary>Authenticated API requests per user.</summary>
    public static readonly RateLimitRule ApiGeneral = new("api.general", 100, TimeSpan.FromMinutes(1));

    /// <summary>
    /// Failed logins per account (org slug + e-mail), against password guessing spread over many
    /// addresses. Not in the seed; its numbers come from <c>AuthOptions</c>.
    /// </summary>
    public static RateLimitRule AuthLoginAccount(int limit, TimeSpan window) => new("auth.login.account", limit, window);
}
