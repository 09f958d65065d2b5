with

 __dbt__cte__social__leads as (

-- Fixture for leads
select 
    
    cast('l:1' as character varying)
 as "id", cast(null as TIMESTAMP WITH TIME ZONE) as "created_time", cast(null as character varying(256)) as "ad_id", cast(null as character varying(256)) as "ad_name", cast(null as character varying(256)) as "adset_id", cast(null as character varying(256)) as "adset_name", cast(null as character varying(256)) as "campaign_id", cast(null as character varying(256)) as "campaign_name", cast(null as character varying(256)) as "form_id", cast(null as character varying(256)) as "form_name", 
    
    cast('false' as character varying)
 as "is_organic", cast(null as character varying(256)) as "platform", 
    
    cast('NGUYỄN VĂN ĐỨC' as character varying)
 as "full_name", 
    
    cast('Duc@Gmail.com' as character varying)
 as "email", 
    
    cast('p:+84912345678' as character varying)
 as "phone_number", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('l:2' as character varying)
 as "id", cast(null as TIMESTAMP WITH TIME ZONE) as "created_time", cast(null as character varying(256)) as "ad_id", cast(null as character varying(256)) as "ad_name", cast(null as character varying(256)) as "adset_id", cast(null as character varying(256)) as "adset_name", cast(null as character varying(256)) as "campaign_id", cast(null as character varying(256)) as "campaign_name", cast(null as character varying(256)) as "form_id", cast(null as character varying(256)) as "form_name", 
    
    cast('true' as character varying)
 as "is_organic", cast(null as character varying(256)) as "platform", 
    
    cast('nguyen van duc' as character varying)
 as "full_name", 
    
    cast('' as character varying)
 as "email", 
    
    cast('p:0000000000' as character varying)
 as "phone_number", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
), source as (
    select * from __dbt__cte__social__leads
),

ranked as (
    select
        *,
        row_number() over (
            partition by id order by cast(_dlt_load_id as double) desc, _source_file desc
        ) as version_rank
    from source
),

latest_versions as (
    select * from ranked where version_rank = 1
),

renamed as (
    select
        id as lead_id,
        created_time as created_at,
        platform,
        lower(is_organic) = 'true' as is_organic,
        campaign_id,
        campaign_name,
        ad_id,
        ad_name,
        form_id,
        form_name,
        nfc_normalize(full_name) as full_name,
        email,
        phone_number,
        _source_file,
        _dlt_load_id
    from latest_versions
),

normalized as (
    select
        *,
        case
        when regexp_matches(lower(trim(email)), '^[^@[:space:]]+@[^@[:space:]]+\.[a-z]{2,}$') then
            case
                when split_part(lower(trim(email)), '@', 2) in ('gmail.com', 'googlemail.com') then replace(split_part(split_part(lower(trim(email)), '@', 1), '+', 1), '.', '')
                else split_part(split_part(lower(trim(email)), '@', 1), '+', 1)
            end || '@' || split_part(lower(trim(email)), '@', 2)
    end as email_normalized,
        case
        when regexp_matches(trim(replace(phone_number, 'p:', '')), '^\+') then '+' || regexp_replace(phone_number, '[^0-9]', '', 'g')
        when regexp_replace(phone_number, '[^0-9]', '', 'g') like '00%' and length(regexp_replace(phone_number, '[^0-9]', '', 'g')) > 12
            then '+' || substr(regexp_replace(phone_number, '[^0-9]', '', 'g'), 3)
        when regexp_replace(phone_number, '[^0-9]', '', 'g') like '84%'
            and length(regexp_replace(phone_number, '[^0-9]', '', 'g')) in (11, 12)
            then '+' || regexp_replace(phone_number, '[^0-9]', '', 'g')
        when regexp_replace(phone_number, '[^0-9]', '', 'g') like '0%'
            and length(regexp_replace(phone_number, '[^0-9]', '', 'g')) in (10, 11)
            then '+84' || substr(regexp_replace(phone_number, '[^0-9]', '', 'g'), 2)
        when length(regexp_replace(phone_number, '[^0-9]', '', 'g')) in (9, 10)
            then '+84' || regexp_replace(phone_number, '[^0-9]', '', 'g')
    end as phone_normalized,
        nullif(trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(full_name), 'đ', 'd'), 'Đ', 'D'))), '\s+', ' ', 'g')), '') as name_key
    from renamed
)

select * from normalized