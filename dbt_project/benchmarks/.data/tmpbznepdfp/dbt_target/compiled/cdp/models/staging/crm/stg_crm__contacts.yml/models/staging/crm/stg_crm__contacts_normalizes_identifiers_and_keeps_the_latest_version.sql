with

 __dbt__cte__crm__contacts as (

-- Fixture for contacts
select 
    
    cast('1' as character varying)
 as "record_id", 
    
    cast('Văn Anh' as character varying)
 as "first_name", 
    
    cast('NGUYỄN' as character varying)
 as "last_name", 
    
    cast(' An.H.Nguyen+shop@Gmail.com ' as character varying)
 as "email", 
    
    cast('0912 345 678' as character varying)
 as "phone_number", 
    
    cast('912345678' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('lead' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", 
    
    cast('2026-01-01 00:00:00+00' as TIMESTAMP WITH TIME ZONE)
 as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('1' as character varying)
 as "record_id", 
    
    cast('Văn Anh' as character varying)
 as "first_name", 
    
    cast('NGUYỄN' as character varying)
 as "last_name", 
    
    cast(' An.H.Nguyen+shop@Gmail.com ' as character varying)
 as "email", 
    
    cast('0912 345 678' as character varying)
 as "phone_number", 
    
    cast('912345678' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('Customer' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", 
    
    cast('2026-02-01 00:00:00+00' as TIMESTAMP WITH TIME ZONE)
 as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('b.csv' as character varying)
 as "_source_file", 
    
    cast('2.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('2' as character varying)
 as "record_id", 
    
    cast('Thị Hoa' as character varying)
 as "first_name", 
    
    cast('Trần' as character varying)
 as "last_name", 
    
    cast('HOA@yahoo.com' as character varying)
 as "email", 
    
    cast('+84 91 234 5678' as character varying)
 as "phone_number", 
    
    cast('84912345678' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('lead' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", cast(null as TIMESTAMP WITH TIME ZONE) as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
union all
select 
    
    cast('3' as character varying)
 as "record_id", 
    
    cast('Bình' as character varying)
 as "first_name", 
    
    cast('Lê' as character varying)
 as "last_name", 
    
    cast('not an email' as character varying)
 as "email", 
    
    cast('123' as character varying)
 as "phone_number", 
    
    cast('02838234567' as character varying)
 as "mobile_phone_number", cast(null as character varying(256)) as "city", cast(null as character varying(256)) as "country_region", 
    
    cast('lead' as character varying)
 as "lifecycle_stage", cast(null as TIMESTAMP WITH TIME ZONE) as "create_date", cast(null as TIMESTAMP WITH TIME ZONE) as "last_modified_date", cast(null as character varying(256)) as "marketing_contact_status", cast(null as character varying(256)) as "contact_owner", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id"
), source as (
    select * from __dbt__cte__crm__contacts
),

ranked as (
    select
        *,
        row_number() over (
            partition by record_id
            order by
                last_modified_date desc nulls last,
                cast(_dlt_load_id as double) desc,
                _source_file desc
        ) as version_rank
    from source
),

latest_versions as (
    select * from ranked where version_rank = 1
),

renamed as (
    select
        record_id as contact_id,
        nfc_normalize(first_name) as first_name,
        nfc_normalize(last_name) as last_name,
        nfc_normalize(trim(concat_ws(' ', last_name, first_name))) as full_name,
        email,
        phone_number,
        mobile_phone_number,
        nfc_normalize(city) as city,
        country_region as country,
        lower(lifecycle_stage) as lifecycle_stage,
        marketing_contact_status = 'Marketing contact' as is_marketing_contact,
        create_date as created_at,
        last_modified_date as modified_at,
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
        case
        when regexp_matches(trim(replace(mobile_phone_number, 'p:', '')), '^\+') then '+' || regexp_replace(mobile_phone_number, '[^0-9]', '', 'g')
        when regexp_replace(mobile_phone_number, '[^0-9]', '', 'g') like '00%' and length(regexp_replace(mobile_phone_number, '[^0-9]', '', 'g')) > 12
            then '+' || substr(regexp_replace(mobile_phone_number, '[^0-9]', '', 'g'), 3)
        when regexp_replace(mobile_phone_number, '[^0-9]', '', 'g') like '84%'
            and length(regexp_replace(mobile_phone_number, '[^0-9]', '', 'g')) in (11, 12)
            then '+' || regexp_replace(mobile_phone_number, '[^0-9]', '', 'g')
        when regexp_replace(mobile_phone_number, '[^0-9]', '', 'g') like '0%'
            and length(regexp_replace(mobile_phone_number, '[^0-9]', '', 'g')) in (10, 11)
            then '+84' || substr(regexp_replace(mobile_phone_number, '[^0-9]', '', 'g'), 2)
        when length(regexp_replace(mobile_phone_number, '[^0-9]', '', 'g')) in (9, 10)
            then '+84' || regexp_replace(mobile_phone_number, '[^0-9]', '', 'g')
    end as mobile_phone_normalized,
        nullif(trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(full_name), 'đ', 'd'), 'Đ', 'D'))), '\s+', ' ', 'g')), '') as name_key
    from renamed
)

select * from normalized