"""Knowledge-base articles of Sorano Systems (SoranoDesk, SoranoSync): manuals, FAQ, policies."""

# ruff: noqa: E501 -- record texts are prose data; breaking them mid-sentence helps no reader.

from __future__ import annotations

from demo.articles_beauty import Article

SOFTWARE_ARTICLES: list[Article] = [
    (
        "kb-sso-okta",
        "manual",
        "en",
        "Setting up SAML single sign-on with Okta",
        "Single sign-on needs the SSO add-on. In Okta, create a SAML 2.0 app and paste the ACS URL "
        "https://<tenant>.soranodesk.example/saml/acs and the entity ID shown under Admin > Security > SSO. Map the "
        "NameID to the user's e-mail. Upload the Okta metadata XML in SoranoDesk and test with one admin before "
        "enforcing SSO for everyone. If users see 'invalid signature', the signing certificate has rotated and the "
        "metadata must be uploaded again.",
        ["sso", "saml", "okta"],
    ),
    (
        "kb-sso-entra",
        "manual",
        "en",
        "Setting up SSO with Microsoft Entra ID (Azure AD)",
        "Add SoranoDesk from the Entra gallery, choose SAML, and set the reply URL from Admin > Security > SSO. "
        "Assign the users or groups who may sign in. Clock skew of more than five minutes between systems causes "
        "'assertion expired' errors. Keep one local admin account with two-factor authentication as a break-glass "
        "login.",
        ["sso", "entra", "azure ad"],
    ),
    (
        "kb-scim",
        "manual",
        "en",
        "Automatic user provisioning with SCIM",
        "SoranoDesk supports SCIM 2.0 for creating, updating and deactivating users from your identity provider. "
        "Generate a SCIM token under Admin > Security > Provisioning and enter it with the base URL in Okta or Entra "
        "ID. Deactivated users free their seat immediately. Group push maps identity-provider groups to SoranoDesk "
        "teams.",
        ["scim", "provisioning", "users"],
    ),
    (
        "kb-api-limits",
        "manual",
        "en",
        "API rate limits and retries",
        "The REST API allows 600 requests per minute per tenant and 50 concurrent requests. Above the limit the API "
        "answers HTTP 429 with a Retry-After header in seconds; clients should wait that long and retry with "
        "exponential back-off. Bulk endpoints accept up to 100 records per call. A temporary raise for a migration "
        "can be requested from support five business days in advance.",
        ["api", "rate limit", "429"],
    ),
    (
        "kb-sfdc-mapping",
        "manual",
        "en",
        "Salesforce connector: field mapping",
        "The SoranoSync Salesforce connector syncs Cases, Contacts and Accounts every five minutes. Map fields under "
        "Integrations > Salesforce > Mapping; picklist values must match exactly, otherwise the field is left empty. "
        "Two-way sync is available for status, priority and owner. Mapping changes apply to records updated after "
        "the change.",
        ["salesforce", "integration", "mapping"],
    ),
    (
        "kb-sla",
        "policy",
        "en",
        "Service level agreement and service credits",
        "SoranoDesk is available 99.9% of each calendar month, excluding announced maintenance. If availability falls "
        "below 99.9%, the customer receives a service credit of 10% of that month's fee; below 99.0%, 25%. Credits "
        "are requested within 30 days of the incident and are applied to the next invoice; they are never paid out "
        "in cash.",
        ["sla", "uptime", "service credit"],
    ),
    (
        "kb-retention",
        "policy",
        "en",
        "Data retention and deletion",
        "Tickets and attachments are kept for as long as the contract runs. Closed tickets older than five years "
        "can be purged automatically if an admin enables it. After a contract ends, all customer data is deleted "
        "within 30 days; an export is available on request until then. Backups are kept for 35 days.",
        ["retention", "deletion", "backup"],
    ),
    (
        "kb-residency",
        "policy",
        "en",
        "Where your data is stored and how it is protected",
        "Customer data is stored in the Tokyo region with a replica in Osaka. Data is encrypted at rest (AES-256) and "
        "in transit (TLS 1.2 or later). Sorano Systems is certified to ISO/IEC 27001 and publishes a SOC 2 Type II "
        "report under NDA.",
        ["security", "data residency", "iso 27001"],
    ),
    (
        "kb-seats-midterm",
        "faq",
        "en",
        "Adding seats in the middle of a contract term",
        "Admins can add seats at any time under Admin > Billing. Added seats are billed pro rata for the remaining "
        "months of the term and renew together with the rest of the contract. Seats can only be reduced at renewal.",
        ["seats", "licence", "billing"],
    ),
    (
        "kb-invoices",
        "faq",
        "en",
        "Invoices and payment terms",
        "Invoices are issued on the first business day of the billing period and are payable within 30 days by bank "
        "transfer. Annual contracts are invoiced in advance. Invoices are sent as PDF to the billing contact and can "
        "be downloaded under Admin > Billing.",
        ["invoice", "payment"],
    ),
    (
        "kb-invoice-fix",
        "faq",
        "en",
        "What to do if an invoice is wrong",
        "If an invoice shows the wrong seat count, tax or billing address, contact billing support within 60 days of "
        "the invoice date. We issue a credit note for the incorrect invoice and a corrected invoice, usually within "
        "five business days. Do not pay the incorrect invoice; the due date moves to the corrected one.",
        ["invoice", "correction", "credit note"],
    ),
    (
        "kb-csv-export",
        "manual",
        "en",
        "Exporting tickets to CSV",
        "Go to Reports > Export, choose the date range and columns, and start the export; large exports are e-mailed "
        "as a download link valid for seven days. Files are UTF-8; choose 'UTF-8 with BOM' if you open them in "
        "Excel so that Japanese text displays correctly.",
        ["export", "csv"],
    ),
    (
        "kb-notifications",
        "manual",
        "en",
        "Configuring e-mail and chat notifications",
        "Each agent chooses notifications under Profile > Notifications. Admins set team defaults. Slack and "
        "Microsoft Teams notifications need the chat integration; duplicate messages usually mean the integration "
        "was installed twice in the same channel.",
        ["notifications", "slack", "teams"],
    ),
    (
        "kb-renewal",
        "faq",
        "en",
        "How renewal works",
        "Contracts renew automatically for another year. We send a renewal quote 90 days before the end of the term. "
        "To change the plan or not renew, tell your account manager at least 60 days before the end date.",
        ["renewal", "contract"],
    ),
    (
        "kb-dashboards",
        "manual",
        "en",
        "SLA reports and scheduled dashboards",
        "The report builder offers SLA attainment by team, channel and region. Any dashboard can be scheduled to be "
        "e-mailed as PDF daily, weekly or monthly under Dashboards > Schedule. Reports over more than 90 days run in "
        "the background.",
        ["reports", "dashboards", "sla"],
    ),
    (
        "kb-quote",
        "faq",
        "en",
        "Requesting a quote",
        "Ask your account manager or use the pricing page form. Quotes are sent within three business days and are "
        "valid for 30 days. Volume pricing starts at 100 seats; non-profit discounts are not offered.",
        ["quote", "pricing"],
    ),
    (
        "kb-maintenance",
        "policy",
        "en",
        "Planned maintenance windows",
        "Planned maintenance takes place on the second Sunday of each month between 02:00 and 05:00 JST and is "
        "announced on the status page seven days in advance. Maintenance does not count as downtime for the SLA.",
        ["maintenance", "status"],
    ),
    (
        "kb-kintone-setup",
        "manual",
        "ja",
        "kintone連携の設定手順",
        "kintone連携にはSoranoSync kintoneコネクタの契約が必要です。kintone側でAPIトークン(レコード閲覧・追加・編集)を発行し、"
        "SoranoDeskの「連携 > kintone」にアプリIDとトークンを登録します。同期間隔は5分です。"
        "ルックアップ項目と関連レコード項目は同期対象外です。",
        ["kintone", "連携"],
    ),
    (
        "kb-invoice-address",
        "faq",
        "ja",
        "請求書の宛名・送付先の変更",
        "請求書の宛名・送付先・請求担当者は、管理者が「管理 > 請求情報」から変更できます。変更は次回発行分から反映されます。"
        "発行済みの請求書の宛名変更は、請求サポートへご依頼ください。",
        ["請求書", "宛名"],
    ),
    (
        "kb-2fa",
        "manual",
        "ja",
        "2要素認証の設定",
        "プロフィール画面の「セキュリティ」から認証アプリ(Google Authenticator等)を登録すると、ログイン時に6桁のコードが求められます。"
        "管理者は全ユーザーに2要素認証を必須にできます。スマートフォンを紛失した場合は、管理者がリセットできます。",
        ["2要素認証", "セキュリティ"],
    ),
    (
        "kb-seat-reduce",
        "faq",
        "ja",
        "ライセンス数を減らしたい場合",
        "ライセンス(席)数の削減は契約更新時のみ可能です。更新日の60日前までに担当営業へご連絡ください。"
        "契約期間の途中で削減した場合でも、残りの期間の料金は返金されません。",
        ["ライセンス", "削減"],
    ),
    (
        "kb-macros",
        "manual",
        "ja",
        "マクロ(定型文)の作成",
        "よく使う返信はマクロとして登録できます。「設定 > マクロ」で本文とステータス変更・担当者割り当てなどの動作を組み合わせます。"
        "{{customer.name}}のようなプレースホルダーで顧客名を差し込めます。チーム共有と個人用を選べます。",
        ["マクロ", "定型文"],
    ),
    (
        "kb-incident",
        "policy",
        "ja",
        "障害発生時の連絡体制",
        "サービス障害を検知した場合、30分以内にステータスページで第一報を掲載し、その後1時間ごとに更新します。"
        "復旧後5営業日以内に原因と再発防止策をまとめた障害報告書を契約管理者へお送りします。",
        ["障害", "報告書"],
    ),
    (
        "kb-annual-pay",
        "faq",
        "ja",
        "年間一括払いと月払い",
        "年間契約は一括前払いが基本です。月払いは50席以上のご契約で選べ、料金は年額の1/12に5%を加えた額です。"
        "お支払いは銀行振込または口座振替です。",
        ["支払い", "年間契約"],
    ),
    (
        "kb-bulk-users",
        "manual",
        "ja",
        "ユーザーの一括登録",
        "「管理 > ユーザー > 一括登録」からCSVファイル(氏名、メールアドレス、ロール、チーム)をアップロードします。"
        "ロールは admin / agent / light_agent のいずれかで、それ以外は「無効なロール」としてエラーになります。1回に1,000行まで登録できます。",
        ["ユーザー", "一括登録", "CSV"],
    ),
]
