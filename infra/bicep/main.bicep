// Castio in one resource group: Flex Consumption function app (custom handler), storage reached by
// managed identity only, Key Vault for secrets, Log Analytics + Application Insights.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name and tag every resource.')
param environmentName string

@minLength(1)
@description('Azure region for all resources.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user or pipeline; gets data access to storage and secrets. Empty = none.')
param principalId string = ''

@description('Cloudflare account id that owns the RealtimeKit apps.')
param rtkAccountId string

@secure()
@description('RealtimeKit API token (stored in Key Vault).')
param rtkApiToken string

@secure()
@minLength(32)
@description('JWT signing key, at least 256 bits (stored in Key Vault).')
param jwtSigningKey string

@description('Optional overrides for generated resource names.')
param resourceGroupName string = ''
param functionAppName string = ''
param storageAccountName string = ''
param keyVaultName string = ''

@allowed([512, 2048, 4096])
@description('Flex Consumption instance memory (MB).')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Always-ready instances for the HTTP group (0 accepts cold starts).')
param alwaysReadyHttpInstances int = 1

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// Everything inside the resource group: identity, storage, monitoring, vault, plan and app.
module app './app/castio.bicep' = {
  name: 'castio'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    abbrs: abbrs
    principalId: principalId
    functionAppName: functionAppName
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    rtkAccountId: rtkAccountId
    rtkApiToken: rtkApiToken
    jwtSigningKey: jwtSigningKey
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = app.outputs.functionAppName
output SERVICE_API_URI string = app.outputs.functionAppUri
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
