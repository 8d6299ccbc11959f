using Azure;
using Castio.Core.Abuse;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Users;
using Microsoft.Extensions.Options;

namespace Castio.Core.Auth;

/// <summary>The signed-in caller, as verified on this request (ids from the token, role, name and e-mail from the user row).</summary>
public sealed record CurrentUser(Guid UserId, Guid OrgId, Role Role)
{
    public string Name { get; init; } = "";

    public string? Email { get; init; }
}

public sealed record OrgView(Guid Id, string Name, string Slug)
{
    public static OrgView From(OrgEntity org) => new(org.Id, org.Name, org.Slug);
}

/// <summary>What a successful sign-in (register, login, invite acceptance, refresh) returns.</summary>
public sealed record SignInResult(IssuedSession Session, UserView User, OrgView Org);

public sealed record LoginCommand(string? Email, string? Password, string? OrgSlug);

/// <summary>Login, refresh, logout, invite acceptance and the caller's own profile.</summary>
public sealed class AuthService(
    OrgStore orgs,
    UserStore users,
    AuthTables tables,
    SessionService sessions,
    PasswordHasher hasher,
    RateLimiter limiter,
    IOptions<AuthOptions> options,
    TimeProvider time)
{
    private readonly AuthOptions _options = options.Value;

    public async Task<Outcome<SignInResult>> LoginAsync(LoginCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(command.Email);
        var slug = OrgSlug.Normalize(command.OrgSlug);
        var errors = new FieldErrors();
        if (email.Length is 0 or > EmailAddress.MaxLength)
        {
            errors.Add("email", "E-mail is required.");
        }

        if (string.IsNullOrEmpty(command.Password))
        {
            errors.Add("password", "Password is required.");
        }
        else if (command.Password.Length > PasswordPolicy.MaxLength * 2)
        {
            // Bounds the hashing work an anonymous caller can ask for.
            errors.Add("password", $"Password must be at most {PasswordPolicy.MaxLength} characters.");
        }

        if (slug.Length is 0 or > OrgSlug.MaxLength)
        {
            errors.Add("orgSlug", "Organization slug is required.");
        }

        if (!errors.IsEmpty)
        {
            return Error.Invalid(Common.ValidationCodes.ValidationFailed, errors);
        }

        // Counted per account whatever the account's existence, so the limit reveals nothing either.
        // The attempt is counted before the password is checked, so parallel guesses cannot all pass
        // one check; a correct password gives its count back.
        var accountRule = RateLimitRules.AuthLoginAccount(_options.MaxFailedLoginsPerAccount, _options.AccountLockoutWindow);
        var attempt = await limiter.ReserveAsync(accountRule, slug + "\n" + email, cancellationToken);
        if (!attempt.Decision.Allowed)
        {
            return new Error(ErrorKind.TooManyRequests, AuthErrors.AccountThrottled, "Too many failed sign-ins for this account. Try again later.", RetryAfter: attempt.Decision.RetryAfter);
        }

        var orgId = await orgs.ResolveSlugAsync(slug, cancellationToken);
        var user = orgId is { } id ? await users.FindByEmailAsync(id, email, cancellationToken) : null;
        if (user is not { IsActive: true, PasswordHash: { } storedHash })
        {
            hasher.VerifyDecoy(command.Password!);
            return AuthErrors.BadCredentials;
        }

        var verdict = hasher.Verify(storedHash, command.Password!);
        if (verdict == PasswordVerification.Failed)
        {
            return AuthErrors.BadCredentials;
        }

        try
        {
            await limiter.ReleaseAsync(attempt, cancellationToken);
        }
        catch (RequestFailedException)
        {
            // The sign-in stands; the attempt just stays counted, which only errs on the safe side.
        }

        if (verdict == PasswordVerification.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.Hash(command.Password!);
        }

        user.LastLoginAt = time.GetUtcNow();
        try
        {
            await users.UpdateAsync(user, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // A concurrent change to the user wins; the sign-in itself stands (the rehash waits for next time).
        }

        var org = await orgs.GetAsync(orgId!.Value, cancellationToken);
        if (org is null)
        {
            return AuthErrors.BadCredentials;
        }

        var session = await sessions.StartAsync(user, cancellationToken);
        return new SignInResult(session, UserView.From(user), OrgView.From(org));
    }

    public async Task<Outcome<SignInResult>> RefreshAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshToken))
        {
            return MissingRefreshToken();
        }

        var result = await sessions.RefreshAsync(refreshToken ?? "", cancellationToken);
        if (result.Error is { } error)
        {
            return error;
        }

        var (session, user) = result.Value;
        var org = await orgs.GetAsync(user.OrgId, cancellationToken);
        return org is null ? AuthErrors.BadRefreshToken : new SignInResult(session, UserView.From(user), OrgView.From(org));
    }

    public async Task<Outcome<bool>> LogoutAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(refreshToken))
        {
            return MissingRefreshToken();
        }

        await sessions.RevokeAsync(refreshToken, cancellationToken);
        return true;
    }

    private static Error MissingRefreshToken() =>
        Error.Invalid(Common.ValidationCodes.ValidationFailed, new FieldErrors().Add("refreshToken", "Refresh token is required."));

    public async Task<Outcome<(UserView User, OrgView Org)>> GetMeAsync(CurrentUser caller, CancellationToken cancellationToken)
    {
        // Two independent point reads: issue both so /me costs one storage round trip, not two.
        var userRead = users.GetAsync(caller.OrgId, caller.UserId, cancellationToken);
        var orgRead = orgs.GetAsync(caller.OrgId, cancellationToken);
        await Task.WhenAll(userRead, orgRead);
        var (user, org) = (userRead.Result, orgRead.Result);
        if (user is null || org is null)
        {
            return new Error(ErrorKind.NotFound, UserErrors.NotFound, "User not found.");
        }

        return (UserView.From(user), OrgView.From(org));
    }

    /// <summary>Sets the password of an invited user with a one-time invite token and signs them in.</summary>
    public async Task<Outcome<SignInResult>> AcceptInviteAsync(string? token, string? password, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .AddIf("token", string.IsNullOrEmpty(token) ? "Invite token is required." : null)
            .AddIf("password", PasswordPolicy.Check(password));
        if (!errors.IsEmpty)
        {
            return Error.Invalid(Common.ValidationCodes.ValidationFailed, errors);
        }

        var invalid = new Error(ErrorKind.NotFound, AuthErrors.InvalidInvite, "The invite is not valid or was already used.");
        if (!OpaqueToken.LooksValid(token))
        {
            return invalid;
        }

        await tables.EnsureCreatedAsync(cancellationToken);
        var hash = OpaqueToken.Hash(token!);
        var index = (await tables.TokenIndex.GetEntityIfExistsAsync<TokenIndexEntity>(hash, TokenIndexEntity.Invite, cancellationToken: cancellationToken)).ValueOrNull();
        if (index is null)
        {
            return invalid;
        }

        var invite = Guid.TryParse(index.OrgId, out var orgId) ? await users.GetInviteAsync(orgId, hash, cancellationToken) : null;
        var now = time.GetUtcNow();
        if (invite is null || invite.UsedAt is not null || invite.ExpiresAt <= now || !Guid.TryParse(invite.UserId, out var userId))
        {
            return invalid;
        }

        var user = await users.GetAsync(orgId, userId, cancellationToken);
        var org = await orgs.GetAsync(orgId, cancellationToken);
        if (user is not { Status: UserEntity.Invited } || org is null)
        {
            return invalid;
        }

        user.PasswordHash = hasher.Hash(password!);
        user.Status = UserEntity.Active;
        user.UpdatedAt = now;
        user.LastLoginAt = now;
        invite.UsedAt = now;
        try
        {
            await users.AcceptInviteAsync(user, invite, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return invalid;
        }

        var session = await sessions.StartAsync(user, cancellationToken);
        return new SignInResult(session, UserView.From(user), OrgView.From(org));
    }
}
