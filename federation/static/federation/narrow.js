'use strict';
// A picker narrowed by another (federation.admin_input.narrowed_by): its searches send the
// other picker's choice as narrow_<name>, and a new choice there empties it. Django's
// autocomplete.js has made every picker a select2 on load; this one is made again with a
// request that carries the choice.
{
    const $ = django.jQuery;
    $(function() {
        $('select[data-narrow-by]').each(function(i, element) {
            const parent = element.form && element.form.elements[element.dataset.narrowBy];
            if (!parent) {
                return;
            }
            if ($(element).data('select2')) {
                $(element).select2('destroy');
            }
            $(element).select2({
                ajax: {
                    data: (params) => {
                        const data = {
                            term: params.term,
                            page: params.page,
                            app_label: element.dataset.appLabel,
                            model_name: element.dataset.modelName,
                            field_name: element.dataset.fieldName
                        };
                        if (parent.value) {
                            data['narrow_' + element.dataset.narrowBy] = parent.value;
                        }
                        return data;
                    }
                }
            });
            $(parent).on('change', () => $(element).val(null).trigger('change'));
        });
    });
}
