using System.Globalization;
using Castio.Core.Abuse;
using Castio.Functions.Hosting;

namespace Castio.Functions.Auth;

public enum RateLimitKey
{
    /// <summary>Per client address (anonymous routes).</summary>
    ClientAddress,

    /// <summary>Per signed-in user; falls back to the address when there is none.</summary>
    User,
}

public static class RateLimiting
{
    /// <summary>Counts each request against <paramref name="rule"/>; over the limit answers 429 with Retry-After.</summary>
    public static TBuilder RequireRateLimit<TBuilder>(this TBuilder builder, RateLimitRule rule, RateLimitKey key) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var limiter = http.RequestServices.GetRequiredService<RateLimiter>();
            var who = key == RateLimitKey.User && http.User.FindFirst("sub")?.Value is { } sub ? "user:" + sub : "ip:" + ClientAddress.Resolve(http);
            var decision = await limiter.AcquireAsync(rule, who, http.RequestAborted);
            if (decision.Allowed)
            {
                return await next(context);
            }

            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(decision.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Problems.Problem(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests", $"The {rule.Name} limit is {rule.Limit} per {rule.Window.TotalSeconds:0} s.");
        });
}
