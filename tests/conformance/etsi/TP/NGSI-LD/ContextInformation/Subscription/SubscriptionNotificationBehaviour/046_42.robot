*** Settings ***
Documentation       Check that the notification contains only the entity members specified in the pick parameter

Resource            ${EXECDIR}/resources/ApiUtils/ContextInformationSubscription.resource
Resource            ${EXECDIR}/resources/ApiUtils/ContextInformationProvision.resource
Resource            ${EXECDIR}/resources/AssertionUtils.resource
Resource            ${EXECDIR}/resources/NotificationUtils.resource
Resource            ${EXECDIR}/resources/SubscriptionUtils.resource

Test Setup          Create Initial Subscription And Entity
Test Teardown       Delete Initial Subscription And Entity


*** Variables ***
${subscription_payload_file_path}=      subscriptions/subscription-building-entities-pick-members.jsonld
${building_filename}=                   building-different-attributes-types.jsonld


*** Test Cases ***
046_42_01 Update Attribute And Check Entity Members In Notification
    [Documentation]    Update an attribute and check the notification contains entity members specified in the pick parameter
    [Tags]    sub-notification    5_8_6    4_21    since_v1.8.1

    ${response}=    Update Entity Attributes    ${entity_id}    name-fragment.jsonld    ${CONTENT_TYPE_LD_JSON}
    Check Response Status Code    204    ${response.status_code}

    ${notification}    ${headers}=    Wait for notification    timeout=${10}

    Should be Equal    ${subscription_id}    ${notification}[subscriptionId]
    Check Notification Containing Entities Elements
    ...    pick-omit/entity-different-attributes-types-pick-members.json
    ...    ${notification}


*** Keywords ***
Create Initial Subscription And Entity
    Create Subscription And Entity    ${subscription_payload_file_path}    ${building_filename}    046_42
    Start Local Server    ${notification_server_host}    ${notification_server_port}

Delete Initial Subscription And Entity
    Delete Subscription    ${subscription_id}
    Delete Entity    ${entity_id}
    Stop Local Server
