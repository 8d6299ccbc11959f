// Castio's resources inside its resource group.
param location string
param tags object
param resourceToken string
param abbrs object
param principalId string
param functionAppName string
param storageAccountName string
param keyVaultName string
param instanceMemoryMB int
param maximumInstanceCount int
param alwaysReadyHttpInstances int
param rtkAccountId string
@secure()
param rtkApiToken string
@secure()
param jwtSigningKey string

var appName = !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}${resourceToken}'
var deploymentContainer = 'app-package-${take(appName, 32)}'
// Tables, queues and containers the app uses; created here so the identity needs no create rights at runtime.
var tableNames = ['hostprobes', 'orgs', 'users', 'refreshtokens', 'ratelimits']
var queueNames = ['echo', 'echo-poison']
var containerNames = [deploymentContainer, 'branding', 'recordings', 'transcripts', 'summaries', 'exports']

// The app's only identity: storage, Key Vault and App Insights are reached with it, never with keys.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${abbrs.insightsComponents}${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

// Shared Key is off: the account is reached with Entra tokens and links are user-delegation SAS.
resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [for name in containerNames: {
  parent: blobService
  name: name
  properties: { publicAccess: 'None' }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [for name in queueNames: {
  parent: queueService
  name: name
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [for name in tableNames: {
  parent: tableService
  name: name
}]

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: !empty(keyVaultName) ? keyVaultName : '${abbrs.keyVaultVaults}${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource rtkTokenSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'rtk-api-token'
  properties: { value: rtkApiToken }
}

resource jwtKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'jwt-signing-key'
  properties: { value: jwtSigningKey }
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: '${abbrs.webServerFarms}${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

var hostSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
}
// Every Castio setting the code reads (kept in step with local.settings.sample.json by a test).
var castioSettings = {
  Rtk__AccountId: rtkAccountId
  Rtk__ApiToken: '@Microsoft.KeyVault(SecretUri=${rtkTokenSecret.properties.secretUri})'
  Rtk__BaseUrl: 'https://api.cloudflare.com/client/v4'
  Rtk__AppId: ''
  Rtk__WebhookPublicKeyUrl: 'https://api.realtime.cloudflare.com/.well-known/webhooks.json'
  Rtk__WebhookPublicKeyCacheDuration: '06:00:00'
  Rtk__WebhookPublicKeyRefetchCooldown: '00:00:30'
  Rtk__WebhookMaxBodyBytes: '1048576'
  Rtk__RequestTimeout: '00:00:30'
  Rtk__AttemptTimeout: '00:00:10'
  Rtk__MaxRetries: '3'
  Rtk__RetryBaseDelay: '00:00:00.500'
  Rtk__MaxRetryAfter: '00:00:10'
  Rtk__CircuitFailureRatio: '0.5'
  Rtk__CircuitMinimumThroughput: '10'
  Rtk__CircuitSamplingDuration: '00:00:30'
  Rtk__CircuitBreakDuration: '00:00:15'
  Auth__SigningKey: '@Microsoft.KeyVault(SecretUri=${jwtKeySecret.properties.secretUri})'
  Auth__Issuer: 'castio'
  Auth__Audience: 'castio-api'
  Auth__AccessTokenLifetime: '00:15:00'
  Auth__RefreshTokenLifetime: '30.00:00:00'
  Auth__InviteLifetime: '7.00:00:00'
  Auth__MaxFailedLoginsPerAccount: '10'
  Auth__AccountLockoutWindow: '00:15:00'
  Auth__RefreshReuseLeeway: '00:00:05'
  // False: every org shares the app in Rtk__AppId (accounts that cannot create RTK apps).
  Orgs__PerOrgRtkApps: 'true'
  Orgs__RegistrationLease: '00:02:00'
  Storage__NamePrefix: ''
  Http__MaxRequestBodyBytes: '1048576'
  // Standalone-only queue polling; under the host, host.json extensions.queues applies.
  Queues__BatchSize: '16'
  Queues__MaxDequeueCount: '5'
  Queues__VisibilityTimeout: '00:00:00'
  Queues__ProcessingTimeout: '00:05:00'
  Queues__MaxPollingInterval: '00:00:02'
  Echo__Enabled: 'false'
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      runtime: { name: 'custom', version: '1.0' }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : []
        triggers: { http: { perInstanceConcurrency: 16 } }
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [for setting in items(union(hostSettings, castioSettings)): {
        name: setting.key
        value: setting.value
      }]
    }
  }
  dependsOn: [containers, queues, tables]
}

// Data-plane roles for the app identity and (optionally) the deploying principal.
module rbac './rbac.bicep' = {
  name: 'castio-rbac'
  params: {
    storageAccountName: storage.name
    vaultName: vault.name
    insightsName: insights.name
    identityPrincipalId: identity.properties.principalId
    principalId: principalId
  }
}

output functionAppName string = functionApp.name
output functionAppUri string = 'https://${functionApp.properties.defaultHostName}'
output storageAccountName string = storage.name
output keyVaultName string = vault.name
