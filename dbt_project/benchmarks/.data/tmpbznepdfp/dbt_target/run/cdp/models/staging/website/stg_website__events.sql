
    

    create  table
      "bench"."staging"."stg_website__events__dbt_tmp"
  
    
    as (
      with

source as (
    select * from "bench"."raw_website"."events"
),

ranked as (
    select
        *,
        row_number() over (
            partition by message_id order by cast(_dlt_load_id as double) desc, _source_file desc
        ) as version_rank
    from source
),

latest_versions as (
    select * from ranked where version_rank = 1
),

renamed as (
    select
        message_id as event_id,
        lower(type) as event_type,
        coalesce(event, name) as event_name,
        anonymous_id,
        user_id,
        "timestamp" as occurred_at,
        received_at,
        json_extract_string(context, '$.page.path') as page_path,
        json_extract_string(context, '$.page.url') as page_url,
        json_extract_string(context, '$.page.title') as page_title,
        nullif(json_extract_string(context, '$.page.referrer'), '') as page_referrer,
        json_extract_string(context, '$.campaign.source') as utm_source,
        json_extract_string(context, '$.campaign.medium') as utm_medium,
        json_extract_string(context, '$.campaign.name') as utm_campaign,
        json_extract_string(context, '$.ip') as ip_address,
        json_extract_string(context, '$.userAgent') as user_agent,
        json_extract_string(traits, '$.email') as traits_email,
        json_extract_string(traits, '$.phone') as traits_phone,
        json_extract_string(traits, '$.name') as traits_name,
        case
            when coalesce(event, name) = 'Order Completed'
                then json_extract_string(properties, '$.order_id')
        end as order_id,
        case
            when coalesce(event, name) = 'Order Completed'
                then cast(json_extract_string(properties, '$.revenue') as decimal(18, 2))
        end as order_revenue,
        json_extract_string(properties, '$.currency') as currency,
        properties,
        traits,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        case
        when regexp_matches(lower(trim(traits_email)), '^[^@[:space:]]+@[^@[:space:]]+\.[a-z]{2,}$') then
            case
                when split_part(lower(trim(traits_email)), '@', 2) in ('gmail.com', 'googlemail.com') then replace(split_part(split_part(lower(trim(traits_email)), '@', 1), '+', 1), '.', '')
                else split_part(split_part(lower(trim(traits_email)), '@', 1), '+', 1)
            end || '@' || split_part(lower(trim(traits_email)), '@', 2)
    end as email_normalized,
        case
        when regexp_matches(trim(replace(traits_phone, 'p:', '')), '^\+') then '+' || regexp_replace(traits_phone, '[^0-9]', '', 'g')
        when regexp_replace(traits_phone, '[^0-9]', '', 'g') like '00%' and length(regexp_replace(traits_phone, '[^0-9]', '', 'g')) > 12
            then '+' || substr(regexp_replace(traits_phone, '[^0-9]', '', 'g'), 3)
        when regexp_replace(traits_phone, '[^0-9]', '', 'g') like '84%'
            and length(regexp_replace(traits_phone, '[^0-9]', '', 'g')) in (11, 12)
            then '+' || regexp_replace(traits_phone, '[^0-9]', '', 'g')
        when regexp_replace(traits_phone, '[^0-9]', '', 'g') like '0%'
            and length(regexp_replace(traits_phone, '[^0-9]', '', 'g')) in (10, 11)
            then '+84' || substr(regexp_replace(traits_phone, '[^0-9]', '', 'g'), 2)
        when length(regexp_replace(traits_phone, '[^0-9]', '', 'g')) in (9, 10)
            then '+84' || regexp_replace(traits_phone, '[^0-9]', '', 'g')
    end as phone_normalized
    from renamed
)

select * from normalized
    );
    
  