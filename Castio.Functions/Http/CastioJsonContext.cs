using System.Text.Json;
using System.Text.Json.Serialization;
using Castio.Functions.Ping;

namespace Castio.Functions.Http;

/// <summary>The API's source-generated JSON context (camelCase on the wire). Features add their request/response types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PingResponse))]
[JsonSerializable(typeof(Castio.Functions.Auth.RegisterRequest))]
[JsonSerializable(typeof(Castio.Functions.Auth.LoginRequest))]
[JsonSerializable(typeof(Castio.Functions.Auth.RefreshRequest))]
[JsonSerializable(typeof(Castio.Functions.Auth.AcceptInviteRequest))]
[JsonSerializable(typeof(Castio.Functions.Auth.SignInResponse))]
[JsonSerializable(typeof(Castio.Functions.Auth.MeResponse))]
[JsonSerializable(typeof(Castio.Functions.Users.InviteUserRequest))]
[JsonSerializable(typeof(Castio.Functions.Users.UpdateUserRequest))]
[JsonSerializable(typeof(Castio.Functions.Users.InvitedUserResponse))]
[JsonSerializable(typeof(Castio.Core.Users.UserPage))]
[JsonSerializable(typeof(Castio.Core.Users.UserView))]
[JsonSerializable(typeof(Castio.Core.Orgs.OrgSettingsPatch))]
[JsonSerializable(typeof(Castio.Core.Orgs.OrgSettingsView))]
[JsonSerializable(typeof(Castio.Core.Orgs.BrandingAssetView))]
[JsonSerializable(typeof(Castio.Core.Orgs.PublicBranding))]
[JsonSerializable(typeof(IDictionary<string, string[]>))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.HealthSnapshot))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.HealthSnapshotPage))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.DiagnosticsSettings))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.DiagnosticsSettingsPatch))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.PhoneHomeReport))]
[JsonSerializable(typeof(Castio.Core.Meetings.MeetingInput))]
[JsonSerializable(typeof(Castio.Core.Meetings.Meeting))]
[JsonSerializable(typeof(Castio.Core.Meetings.MeetingPage))]
[JsonSerializable(typeof(Castio.Core.Meetings.PublicMeeting))]
[JsonSerializable(typeof(Castio.Functions.Webhooks.WebhookAck))]
internal sealed partial class CastioJsonContext : JsonSerializerContext;
