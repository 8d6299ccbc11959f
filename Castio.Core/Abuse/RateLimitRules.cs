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

    /// <summary>
    /// Joins per person per meeting. Counted per meeting, as first designed, 30 a minute would refuse 70 of
    /// 100 people who join a meeting on time. A meeting's joins are then bounded by this times its participant cap,
    /// a ceiling that scales with <c>maxParticipants</c> without a shared counter on the join path.
    /// </summary>
    public static readonly RateLimitRule MeetingJoin = new("meeting.join", 30, TimeSpan.FromMinutes(1));

    /// <summary>New guest joins per meeting: 20 a minute, or every guest place once a minute when there are more.</summary>
    public static RateLimitRule GuestJoin(int maxGuests) => new("guest.join", Math.Max(20, maxGuests), TimeSpan.FromMinutes(1));

    /// <summary>New guest joins per client address per meeting.</summary>
    public static readonly RateLimitRule GuestJoinAddress = new("guest.join.address", 3, TimeSpan.FromMinutes(5));

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
