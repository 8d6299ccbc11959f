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
[JsonSerializable(typeof(Castio.Core.Meetings.MeetingInput))]
[JsonSerializable(typeof(Castio.Core.Meetings.Meeting))]
[JsonSerializable(typeof(Castio.Core.Meetings.MeetingPage))]
[JsonSerializable(typeof(Castio.Core.Meetings.PublicMeeting))]
[JsonSerializable(typeof(Castio.Functions.Webhooks.WebhookAck))]
[JsonSerializable(typeof(Castio.Core.Joining.JoinResult))]
[JsonSerializable(typeof(Castio.Core.Joining.GuestJoinRequest))]
[JsonSerializable(typeof(Castio.Core.Joining.GuestJoinResult))]
[JsonSerializable(typeof(Castio.Core.PostMeeting.SessionPage))]
[JsonSerializable(typeof(Castio.Core.PostMeeting.SessionView))]
[JsonSerializable(typeof(Castio.Core.PostMeeting.RecordingList))]
[JsonSerializable(typeof(Castio.Core.PostMeeting.TranscriptView))]
[JsonSerializable(typeof(Castio.Core.PostMeeting.SummaryTriggered))]
[JsonSerializable(typeof(Castio.Core.Analytics.AnalyticsReport))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.Investigate.WebhookDeliveryPage))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.Investigate.WebhookDeliveryView))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.Investigate.WebhookReplayResult))]
[JsonSerializable(typeof(Castio.Core.Diagnostics.Investigate.InvestigationReport))]
internal sealed partial class CastioJsonContext : JsonSerializerContext;
