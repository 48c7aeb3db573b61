package gptkit.songci;

import java.util.Map;

/**
 * Latin names of the common tunes (词牌), for a chart on a machine without a CJK font (see
 * {@link gptkit.plot.Charts#canDraw}); any other name gets a short code.
 */
public final class Pinyin {
    private static final Map<String, String> NAMES = Map.ofEntries(Map.entry("浣溪沙", "Huanxisha"),
            Map.entry("鹧鸪天", "Zhegutian"), Map.entry("菩萨蛮", "Pusaman"), Map.entry("西江月", "Xijiangyue"),
            Map.entry("减字木兰花", "Jianzi Mulanhua"), Map.entry("蝶恋花", "Dielianhua"),
            Map.entry("点绛唇", "Dianjiangchun"), Map.entry("清平乐", "Qingpingyue"),
            Map.entry("好事近", "Haoshijin"), Map.entry("朝中措", "Zhaozhongcuo"), Map.entry("渔家傲", "Yujiaao"),
            Map.entry("谒金门", "Yejinmen"), Map.entry("玉楼春", "Yulouchun"), Map.entry("南乡子", "Nanxiangzi"),
            Map.entry("卜算子", "Busuanzi"), Map.entry("临江仙", "Linjiangxian"), Map.entry("如梦令", "Rumengling"));

    private Pinyin() {}

    public static String of(String tune) {
        return NAMES.getOrDefault(tune, "tune " + Integer.toHexString(tune.hashCode() & 0xffff));
    }
}
