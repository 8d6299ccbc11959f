using Azure;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Presets;
using Castio.Core.Rtk;
using Castio.Core.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Auth;

public sealed record RegisterCommand(string? Email, string? Password, string? Name, string? OrgName, string? OrgSlug);

/// <summary>
/// Org registration: org, owner, RTK app, the Castio presets (CastioPresets.All), then a session. The slug is
/// claimed first under a lease; the RTK app id is written onto the claim as soon as it exists, so
/// a failed or crashed attempt leaves no orphan (the next attempt for the slug reuses the app and
/// re-runs the idempotent preset provisioning). The org and its owner are one transaction, and the
/// slug turns active last, so nothing half-made can be signed into or looked up. It ends in a sign-in,
/// so it sits in Auth, above the Orgs and Users stores it writes through.
/// </summary>
public sealed partial class RegistrationService(
    OrgStore orgs,
    SessionService sessions,
    PasswordHasher hasher,
    RtkClient rtk,
    PresetProvisioner presets,
    IOptions<OrgOptions> options,
    TimeProvider time,
    ILogger<RegistrationService> logger)
{
    public async Task<Outcome<SignInResult>> RegisterAsync(RegisterCommand command, CancellationToken cancellationToken)
    {
        var email = EmailAddress.Normalize(command.Email);
        var name = DisplayName.Normalize(command.Name);
        var orgName = DisplayName.Normalize(command.OrgName);
        var slug = OrgSlug.Normalize(command.OrgSlug);
        var errors = new FieldErrors()
            .AddIf("email", EmailAddress.Check(email))
            .AddIf("password", PasswordPolicy.Check(command.Password))
            .AddIf("name", DisplayName.Check(name))
            .AddIf("orgName", DisplayName.Check(orgName, "Organization name"))
            .AddIf("orgSlug", OrgSlug.Check(slug));
        if (!errors.IsEmpty)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, errors);
        }

        // Hash before claiming: the slow step should not eat into the lease.
        var passwordHash = hasher.Hash(command.Password!);
        var orgId = Guid.CreateVersion7();
        var claim = await orgs.TryClaimSlugAsync(slug, orgId, options.Value.RegistrationLease, cancellationToken);
        if (claim is null)
        {
            return new Error(ErrorKind.Conflict, OrgErrors.SlugTaken, "This organization slug is taken.", new FieldErrors().Add("orgSlug", "This slug is taken.").ToDictionary());
        }

        OrgEntity? org = null;
        UserEntity? owner = null;
        try
        {
            var appId = await EnsureAppAsync(claim, cancellationToken);
            await presets.ProvisionAsync(appId, cancellationToken);

            var now = time.GetUtcNow();
            owner = new UserEntity
            {
                PartitionKey = OrgKeys.Partition(orgId),
                RowKey = UserKeys.User(Guid.CreateVersion7()),
                Email = email,
                Name = name,
                Role = Role.Owner.ToWire(),
                PasswordHash = passwordHash,
                Status = UserEntity.Active,
                CreatedAt = now,
                UpdatedAt = now,
                LastLoginAt = now,
            };
            org = new OrgEntity
            {
                PartitionKey = OrgKeys.Partition(orgId),
                Name = orgName,
                Slug = slug,
                RtkAppId = appId,
                OwnerId = owner.Id.ToString("D"),
                CreatedAt = now,
                UpdatedAt = now,
            };
            await orgs.CreateAsync(org, UserStore.Rows(owner), cancellationToken);

            claim.State = OrgSlugEntity.Active;
            claim.LeaseUntil = now;
            await orgs.SaveClaimAsync(claim, cancellationToken);
        }
        catch (Exception e) when (e is RtkException or RequestFailedException or OperationCanceledException)
        {
            await UndoAsync(claim, org, owner, e);
            if (e is RtkException rtkError)
            {
                return new Error(ErrorKind.Unavailable, OrgErrors.RtkUnavailable,
                    "The meeting service could not set up the organization. Nothing was created; try again shortly.",
                    RetryAfter: rtkError.RetryAfter ?? TimeSpan.FromSeconds(30));
            }

            throw;
        }

        LogRegistered(logger, org.PartitionKey, org.RtkAppId);
        var session = await sessions.StartAsync(owner, cancellationToken);
        return new SignInResult(session, UserView.From(owner), OrgView.From(org));
    }

    private async Task<string> EnsureAppAsync(OrgSlugEntity claim, CancellationToken cancellationToken)
    {
        if (!options.Value.PerOrgRtkApps)
        {
            return rtk.DefaultAppId is { Length: > 0 } shared
                ? shared
                : throw new InvalidOperationException("Orgs:PerOrgRtkApps is false but Rtk:AppId is not set.");
        }

        if (claim.RtkAppId is { Length: > 0 } reused)
        {
            return reused;
        }

        var app = await rtk.Apps.CreateAsync("castio-" + claim.PartitionKey, cancellationToken);
        claim.RtkAppId = app.Id;
        // Recorded before anything else can fail, so the app is never lost track of.
        await orgs.SaveClaimAsync(claim, cancellationToken);
        return app.Id;
    }

    /// <summary>Removes what this attempt stored and releases the slug so a retry can start at once.</summary>
    private async Task UndoAsync(OrgSlugEntity claim, OrgEntity? org, UserEntity? owner, Exception cause)
    {
        LogFailed(logger, claim.PartitionKey, cause);
        // Not the request's token: the undo must run even when the caller went away.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            if (org is not null && owner is not null)
            {
                try
                {
                    await orgs.DeleteAsync(org, UserStore.Rows(owner), timeout.Token);
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    // The transaction never landed.
                }
            }

            claim.State = OrgSlugEntity.Pending;
            claim.LeaseUntil = time.GetUtcNow();
            await orgs.SaveClaimAsync(claim, timeout.Token);
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException)
        {
            // The lease still runs out by itself; the org rows are unreachable without an active slug.
            LogUndoFailed(logger, claim.PartitionKey, e);
        }
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Registered org {OrgId} on RTK app {AppId}")]
    private static partial void LogRegistered(ILogger logger, string orgId, string appId);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Registration for slug {Slug} failed; rolling back")]
    private static partial void LogFailed(ILogger logger, string slug, Exception exception);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Rollback of registration for slug {Slug} failed; the lease will expire on its own")]
    private static partial void LogUndoFailed(ILogger logger, string slug, Exception exception);
}
