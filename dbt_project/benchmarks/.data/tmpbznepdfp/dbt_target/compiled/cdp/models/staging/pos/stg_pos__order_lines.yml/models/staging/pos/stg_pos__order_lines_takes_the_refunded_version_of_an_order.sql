with

 __dbt__cte__pos__order_lines as (

-- Fixture for order_lines
select 
    
    cast('#1001' as character varying)
 as "name", cast(null as character varying(256)) as "email", 
    
    cast('paid' as character varying)
 as "financial_status", cast(null as TIMESTAMP WITH TIME ZONE) as "paid_at", cast(null as character varying(256)) as "fulfillment_status", cast(null as character varying(256)) as "accepts_marketing", cast(null as character varying(256)) as "currency", cast(null as DECIMAL(18,2)) as "subtotal", cast(null as DECIMAL(18,2)) as "shipping", cast(null as DECIMAL(18,2)) as "taxes", 
    
    cast(100.0 as DECIMAL(18,2))
 as "total", cast(null as character varying(256)) as "discount_code", cast(null as DECIMAL(18,2)) as "discount_amount", cast(null as TIMESTAMP WITH TIME ZONE) as "created_at", 
    
    cast('1' as character varying)
 as "lineitem_quantity", cast(null as character varying(256)) as "lineitem_name", cast(null as DECIMAL(18,2)) as "lineitem_price", cast(null as character varying(256)) as "lineitem_sku", cast(null as character varying(256)) as "billing_name", cast(null as character varying(256)) as "billing_address1", cast(null as character varying(256)) as "billing_city", cast(null as character varying(256)) as "billing_country", cast(null as character varying(256)) as "billing_phone", cast(null as TIMESTAMP WITH TIME ZONE) as "cancelled_at", cast(null as character varying(256)) as "payment_method", 
    
    cast(0.0 as DECIMAL(18,2))
 as "refunded_amount", cast(null as character varying(256)) as "location", cast(null as character varying(256)) as "id", cast(null as character varying(256)) as "source", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id", 
    
    cast(1 as BIGINT)
 as "line_position", cast(null as character varying(256)) as "phone"
union all
select 
    
    cast('#1001' as character varying)
 as "name", cast(null as character varying(256)) as "email", cast(null as character varying(256)) as "financial_status", cast(null as TIMESTAMP WITH TIME ZONE) as "paid_at", cast(null as character varying(256)) as "fulfillment_status", cast(null as character varying(256)) as "accepts_marketing", cast(null as character varying(256)) as "currency", cast(null as DECIMAL(18,2)) as "subtotal", cast(null as DECIMAL(18,2)) as "shipping", cast(null as DECIMAL(18,2)) as "taxes", cast(null as DECIMAL(18,2)) as "total", cast(null as character varying(256)) as "discount_code", cast(null as DECIMAL(18,2)) as "discount_amount", cast(null as TIMESTAMP WITH TIME ZONE) as "created_at", 
    
    cast('2' as character varying)
 as "lineitem_quantity", cast(null as character varying(256)) as "lineitem_name", cast(null as DECIMAL(18,2)) as "lineitem_price", cast(null as character varying(256)) as "lineitem_sku", cast(null as character varying(256)) as "billing_name", cast(null as character varying(256)) as "billing_address1", cast(null as character varying(256)) as "billing_city", cast(null as character varying(256)) as "billing_country", cast(null as character varying(256)) as "billing_phone", cast(null as TIMESTAMP WITH TIME ZONE) as "cancelled_at", cast(null as character varying(256)) as "payment_method", cast(null as DECIMAL(18,2)) as "refunded_amount", cast(null as character varying(256)) as "location", cast(null as character varying(256)) as "id", cast(null as character varying(256)) as "source", cast(null as character varying(256)) as "_record_hash", 
    
    cast('a.csv' as character varying)
 as "_source_file", 
    
    cast('1.0' as character varying)
 as "_dlt_load_id", 
    
    cast(2 as BIGINT)
 as "line_position", cast(null as character varying(256)) as "phone"
union all
select 
    
    cast('#1001' as character varying)
 as "name", cast(null as character varying(256)) as "email", 
    
    cast('refunded' as character varying)
 as "financial_status", cast(null as TIMESTAMP WITH TIME ZONE) as "paid_at", cast(null as character varying(256)) as "fulfillment_status", cast(null as character varying(256)) as "accepts_marketing", cast(null as character varying(256)) as "currency", cast(null as DECIMAL(18,2)) as "subtotal", cast(null as DECIMAL(18,2)) as "shipping", cast(null as DECIMAL(18,2)) as "taxes", 
    
    cast(100.0 as DECIMAL(18,2))
 as "total", cast(null as character varying(256)) as "discount_code", cast(null as DECIMAL(18,2)) as "discount_amount", cast(null as TIMESTAMP WITH TIME ZONE) as "created_at", 
    
    cast('1' as character varying)
 as "lineitem_quantity", cast(null as character varying(256)) as "lineitem_name", cast(null as DECIMAL(18,2)) as "lineitem_price", cast(null as character varying(256)) as "lineitem_sku", cast(null as character varying(256)) as "billing_name", cast(null as character varying(256)) as "billing_address1", cast(null as character varying(256)) as "billing_city", cast(null as character varying(256)) as "billing_country", cast(null as character varying(256)) as "billing_phone", cast(null as TIMESTAMP WITH TIME ZONE) as "cancelled_at", cast(null as character varying(256)) as "payment_method", 
    
    cast(100.0 as DECIMAL(18,2))
 as "refunded_amount", cast(null as character varying(256)) as "location", cast(null as character varying(256)) as "id", cast(null as character varying(256)) as "source", cast(null as character varying(256)) as "_record_hash", 
    
    cast('b.csv' as character varying)
 as "_source_file", 
    
    cast('2.0' as character varying)
 as "_dlt_load_id", 
    
    cast(1 as BIGINT)
 as "line_position", cast(null as character varying(256)) as "phone"
), source as (
    select * from __dbt__cte__pos__order_lines
),

ranked as (
    -- A refund re-exports the whole order, but only its changed lines (the first, which holds
    -- the order-level fields) are stored again: the newest version of each line wins.
    select
        *,
        row_number() over (
            partition by name, line_position
            order by cast(_dlt_load_id as double) desc, _source_file desc
        ) as version_rank
    from source
),

latest_versions as (
    select * from ranked where version_rank = 1
),

renamed as (
    select
        name as order_id,
        line_position,
        email,
        financial_status,
        paid_at,
        fulfillment_status,
        lower(accepts_marketing) = 'yes' as accepts_marketing,
        currency,
        subtotal,
        shipping,
        taxes,
        total,
        discount_code,
        discount_amount,
        coalesce(refunded_amount, 0) as refunded_amount,
        created_at as ordered_at,
        cancelled_at,
        cast(lineitem_quantity as integer) as quantity,
        nfc_normalize(lineitem_name) as product_name,
        lineitem_price as unit_price,
        lineitem_sku as sku,
        nfc_normalize(billing_name) as billing_name,
        nfc_normalize(billing_city) as billing_city,
        billing_country,
        billing_phone,
        location,
        id as shopify_order_id,
        lower(source) as order_source,
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
        when regexp_matches(trim(replace(billing_phone, 'p:', '')), '^\+') then '+' || regexp_replace(billing_phone, '[^0-9]', '', 'g')
        when regexp_replace(billing_phone, '[^0-9]', '', 'g') like '00%' and length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) > 12
            then '+' || substr(regexp_replace(billing_phone, '[^0-9]', '', 'g'), 3)
        when regexp_replace(billing_phone, '[^0-9]', '', 'g') like '84%'
            and length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) in (11, 12)
            then '+' || regexp_replace(billing_phone, '[^0-9]', '', 'g')
        when regexp_replace(billing_phone, '[^0-9]', '', 'g') like '0%'
            and length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) in (10, 11)
            then '+84' || substr(regexp_replace(billing_phone, '[^0-9]', '', 'g'), 2)
        when length(regexp_replace(billing_phone, '[^0-9]', '', 'g')) in (9, 10)
            then '+84' || regexp_replace(billing_phone, '[^0-9]', '', 'g')
    end as phone_normalized,
        nullif(trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(billing_name), 'đ', 'd'), 'Đ', 'D'))), '\s+', ' ', 'g')), '') as name_key
    from renamed
)

select * from normalized