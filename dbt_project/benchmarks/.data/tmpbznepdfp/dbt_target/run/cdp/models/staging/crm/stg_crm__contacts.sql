
  
  create view "bench"."staging"."stg_crm__contacts__dbt_tmp" as (
    with

source as (
    select * from "bench"."raw_crm"."contacts"
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
  );
