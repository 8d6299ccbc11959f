// Castio on Azure Functions Flex Consumption (custom handler), with identity-only storage access.
// Deploy: az deployment sub create -l <location> -f infra/bicep/main.bicep -p infra/bicep/main.parameters.json
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment; used to name the resource group and derive resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Optional: principal id of the deploying user, granted Blob Data Owner to upload packages.')
param principalId string = ''

@description('Optional override for the resource group name.')
param resourceGroupName string = ''

@description('Always-ready instances for the HTTP functions (0 = scale to zero; 1 keeps cold starts away).')
@minValue(0)
@maxValue(10)
param httpAlwaysReady int = 1

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// Storage, identity, monitoring, plan, function app and role assignments.
module app './app/castio.bicep' = {
  name: 'castio'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    abbrs: abbrs
    principalId: principalId
    httpAlwaysReady: httpAlwaysReady
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = app.outputs.functionAppName
output AZURE_STORAGE_ACCOUNT_NAME string = app.outputs.storageAccountName
